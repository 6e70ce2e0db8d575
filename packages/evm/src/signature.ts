/**
 * Signature forms an exact-EVM payload may carry: a 65-byte ECDSA signature (EOA), any other bytes
 * for an EIP-1271 contract wallet, or an EIP-6492 wrapper for a wallet not deployed yet (the factory
 * that deploys it, the call to make, and the wallet's own signature inside).
 */
import { decodeAbiParameters, type Hex } from 'viem';
import { addressOfPublicKey } from './eip3009.js';
import { isLowS, recoverPublicKey } from './recover.js';

/** The 32-byte suffix that marks an EIP-6492 signature. */
export const ERC6492_MAGIC = '6492649264926492649264926492649264926492649264926492649264926492';

export interface ClassifiedSignature {
  /** What the wallet itself checks: the whole signature, or the one inside an EIP-6492 wrapper. */
  inner: Hex;
  /** EIP-6492: the factory and the call that deploy the wallet. */
  deployment?: { factory: Hex; calldata: Hex };
}

/** Splits an EIP-6492 wrapper; undefined when the wrapper is malformed. */
export function classifySignature(signature: string): ClassifiedSignature | undefined {
  if (!signature.endsWith(ERC6492_MAGIC) || signature.length < 2 + 64 + 64 * 3) {
    return { inner: signature as Hex };
  }
  try {
    const [factory, calldata, inner] = decodeAbiParameters(
      [{ type: 'address' }, { type: 'bytes' }, { type: 'bytes' }],
      signature.slice(0, -64) as Hex,
    );
    return {
      inner: inner.toLowerCase() as Hex,
      deployment: { factory: factory.toLowerCase() as Hex, calldata },
    };
  } catch {
    return undefined;
  }
}

export type EcdsaCheck =
  | { ok: true; signer: string }
  | { ok: false; problem: 'length' | 'v' | 'high_s' | 'invalid' };

const sigBuffer = Buffer.alloc(65);

/** Who signed `digest` with a 65-byte `r || s || v` signature (v 27/28 or 0/1), low s only. */
export function ecdsaSigner(digest: Uint8Array, signature: string): EcdsaCheck {
  if (signature.length !== 132) return { ok: false, problem: 'length' };
  sigBuffer.write(signature.slice(2), 0, 'hex');
  const v = sigBuffer[64] as number;
  const recid = v >= 27 ? v - 27 : v;
  if (recid !== 0 && recid !== 1) return { ok: false, problem: 'v' };
  if (!isLowS(sigBuffer.subarray(32, 64))) return { ok: false, problem: 'high_s' };
  const publicKey = recoverPublicKey(digest, sigBuffer.subarray(0, 64), recid);
  if (!publicKey) return { ok: false, problem: 'invalid' };
  return { ok: true, signer: addressOfPublicKey(publicKey) };
}

/** `v`, `r`, `s` of a 65-byte signature, v as 27/28 (what the token's v,r,s overload expects). */
export function splitSignature(signature: string): { v: number; r: Hex; s: Hex } {
  const v = Number.parseInt(signature.slice(130, 132), 16);
  return {
    v: v < 27 ? v + 27 : v,
    r: `0x${signature.slice(2, 66)}`,
    s: `0x${signature.slice(66, 130)}`,
  };
}
