import { keccak_256 } from '@noble/hashes/sha3';
import { hashMessage, recoverMessageAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  addressOfPublicKey,
  isLowS,
  keccak256,
  recoverPublicKey,
  recoveryBackend,
  SECP256K1_N,
  signHashNative,
} from './crypto.js';

const hexBytes = (hex: string) => Buffer.from(hex.slice(2), 'hex');

describe('the ./crypto subpath', () => {
  it('hashes like @noble/hashes across the rate boundary', () => {
    for (const length of [0, 1, 31, 32, 66, 135, 136, 137, 272, 300]) {
      const data = crypto.getRandomValues(new Uint8Array(length));
      expect(keccak256(data)).toEqual(keccak_256(data));
    }
  });

  it('recovers the address viem recovers, on the native backend', async () => {
    expect(recoveryBackend()).toBe('native');
    const account = privateKeyToAccount(generatePrivateKey());
    const signature = await account.signMessage({ message: 'voucher' });
    const bytes = hexBytes(signature);
    const v = bytes[64] as number;
    expect(isLowS(bytes.subarray(32, 64))).toBe(true);
    const publicKey = recoverPublicKey(
      hexBytes(hashMessage('voucher')),
      bytes.subarray(0, 64),
      v - 27,
    );
    expect(publicKey).toBeDefined();
    expect(addressOfPublicKey(publicKey as Uint8Array)).toBe(
      (await recoverMessageAddress({ message: 'voucher', signature })).toLowerCase(),
    );
  });

  it('signs natively with low s, and tells high s apart', () => {
    const key = hexBytes(generatePrivateKey());
    const digest = crypto.getRandomValues(new Uint8Array(32));
    const signed = signHashNative(digest, key);
    expect(signed).toBeDefined();
    const { r, s, yParity } = signed as NonNullable<typeof signed>;
    expect(isLowS(s)).toBe(true);
    const highS = SECP256K1_N - BigInt(`0x${Buffer.from(s).toString('hex')}`);
    expect(isLowS(Buffer.from(highS.toString(16).padStart(64, '0'), 'hex'))).toBe(false);
    const publicKey = recoverPublicKey(digest, Buffer.concat([r, s]), yParity);
    expect(addressOfPublicKey(publicKey as Uint8Array)).toBe(
      privateKeyToAccount(`0x${key.toString('hex')}`).address.toLowerCase(),
    );
  });
});
