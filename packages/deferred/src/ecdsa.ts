/**
 * Who signed a digest with a 65-byte `r || s || v` signature, accepting exactly what the escrow's
 * `claim` accepts (v 27/28, s at most n/2): a voucher valid here is claimable on chain.
 *
 * Recovery is @noble/curves in pure JS. `@x402-rails/evm` has a native libsecp256k1 path and a
 * faster keccak (`recover.ts`, `keccak.ts`, `signature.ts#ecdsaSigner`) but does not export them.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';

/** secp256k1 n/2: a signature with s above it is the malleable twin of a low-s one (EIP-2). */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export type EcdsaCheck =
  | { ok: true; signer: `0x${string}` }
  | { ok: false; problem: 'length' | 'v' | 'high_s' | 'invalid' };

/** The lowercase address of an uncompressed public key (65 bytes, 0x04 prefix). */
function addressOfPublicKey(publicKey: Uint8Array): `0x${string}` {
  const hash = keccak_256(publicKey.subarray(1));
  return `0x${Buffer.from(hash.buffer, hash.byteOffset + 12, 20).toString('hex')}`;
}

export function ecdsaSigner(digest: Uint8Array, signature: string): EcdsaCheck {
  if (signature.length !== 132 || !/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    return { ok: false, problem: 'length' };
  }
  const bytes = Buffer.from(signature.slice(2), 'hex');
  const v = bytes[64] as number;
  if (v !== 27 && v !== 28) return { ok: false, problem: 'v' };
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  if (s > HALF_N) return { ok: false, problem: 'high_s' };
  try {
    const publicKey = secp256k1.Signature.fromCompact(bytes.subarray(0, 64))
      .addRecoveryBit(v - 27)
      .recoverPublicKey(digest)
      .toRawBytes(false);
    return { ok: true, signer: addressOfPublicKey(publicKey) };
  } catch {
    return { ok: false, problem: 'invalid' };
  }
}
