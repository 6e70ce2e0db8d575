import { secp256k1 } from '@noble/curves/secp256k1';
import { afterEach, describe, expect, it } from 'vitest';
import { addressOfPublicKey, toHex } from './eip3009.js';
import {
  isLowS,
  recoverPublicKey,
  recoveryBackend,
  SECP256K1_N,
  useRecoveryBackend,
} from './recover.js';
import { ecdsaSigner } from './signature.js';

function signed() {
  const key = secp256k1.utils.randomPrivateKey();
  const digest = crypto.getRandomValues(new Uint8Array(32));
  const sig = secp256k1.sign(digest, key);
  const address = addressOfPublicKey(secp256k1.getPublicKey(key, false));
  return { digest, sig, address };
}

afterEach(() => {
  delete process.env['X402_EVM_NO_NATIVE'];
  useRecoveryBackend(undefined);
});

describe('signature recovery', () => {
  it('loads the native libsecp256k1 binding here', () => {
    expect(recoveryBackend()).toBe('native');
  });

  it('falls back to JS when the native binding is unavailable', () => {
    process.env['X402_EVM_NO_NATIVE'] = '1';
    expect(useRecoveryBackend(undefined)).toBe('js');
    expect(() => useRecoveryBackend('native')).toThrow(/not available/);
  });

  for (const backend of ['native', 'js'] as const) {
    it(`${backend}: recovers the signer, and refuses high-s and junk`, () => {
      useRecoveryBackend(backend);
      for (let i = 0; i < 20; i++) {
        const { digest, sig, address } = signed();
        const rsv = `${toHex(sig.toCompactRawBytes())}${(27 + sig.recovery).toString(16)}`;
        expect(ecdsaSigner(digest, rsv)).toEqual({ ok: true, signer: address });
        const pub = recoverPublicKey(digest, sig.toCompactRawBytes(), sig.recovery);
        expect(pub && addressOfPublicKey(pub)).toBe(address);
        // The same signature with s' = n - s (and the other parity) is valid ECDSA but malleable.
        const high = new Uint8Array(64);
        high.set(sig.toCompactRawBytes().subarray(0, 32));
        high.set(Buffer.from((SECP256K1_N - sig.s).toString(16).padStart(64, '0'), 'hex'), 32);
        expect(isLowS(high.subarray(32))).toBe(false);
        const highSig = `${toHex(high)}${(28 - sig.recovery).toString(16)}`;
        expect(ecdsaSigner(digest, highSig)).toEqual({ ok: false, problem: 'high_s' });
      }
      const { digest } = signed();
      expect(ecdsaSigner(digest, `0x${'00'.repeat(64)}1b`)).toEqual({
        ok: false,
        problem: 'invalid',
      });
      expect(ecdsaSigner(digest, `0x${'11'.repeat(64)}05`)).toEqual({ ok: false, problem: 'v' });
      expect(ecdsaSigner(digest, `0x${'11'.repeat(64)}`)).toEqual({ ok: false, problem: 'length' });
    });
  }
});
