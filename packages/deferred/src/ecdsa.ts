/**
 * Who signed a digest with a 65-byte `r || s || v` signature, accepting exactly what the escrow's
 * `claim` accepts (v 27/28, s at most n/2): a voucher valid here is claimable on chain.
 *
 * Recovery runs on `@x402-rails/evm/crypto`: the native libsecp256k1 binding when it loads (tens of
 * microseconds), else @noble/curves in pure JS; the keccak is the EVM rail's unrolled one.
 */
import { addressOfPublicKey, isLowS, recoverPublicKey } from '@x402-rails/evm/crypto';

export type EcdsaCheck =
  | { ok: true; signer: `0x${string}` }
  | { ok: false; problem: 'length' | 'v' | 'high_s' | 'invalid' };

// One reusable buffer: the check is synchronous, so no two calls share it at once.
const signatureBytes = Buffer.alloc(65);

export function ecdsaSigner(digest: Uint8Array, signature: string): EcdsaCheck {
  if (signature.length !== 132 || signature[0] !== '0' || signature[1] !== 'x') {
    return { ok: false, problem: 'length' };
  }
  // Buffer's hex decoder stops at the first non-hex digit, so a short write is malformed input.
  if (signatureBytes.write(signature.slice(2), 0, 65, 'hex') !== 65) {
    return { ok: false, problem: 'length' };
  }
  const v = signatureBytes[64] as number;
  if (v !== 27 && v !== 28) return { ok: false, problem: 'v' };
  if (!isLowS(signatureBytes.subarray(32, 64))) return { ok: false, problem: 'high_s' };
  const publicKey = recoverPublicKey(digest, signatureBytes.subarray(0, 64), v - 27);
  if (!publicKey) return { ok: false, problem: 'invalid' };
  return { ok: true, signer: addressOfPublicKey(publicKey) as `0x${string}` };
}
