/**
 * ECDSA public-key recovery on secp256k1, the verify hot path. The native libsecp256k1 binding of
 * the npm package `secp256k1` (prebuilt binaries inside the package, ~25× faster) is used when it
 * loads; otherwise @noble/curves in pure JS. Both are tested; `recoveryBackend()` tells which runs.
 */
import { createRequire } from 'node:module';
import { secp256k1 as noble } from '@noble/curves/secp256k1';

/** secp256k1 group order n, and n/2: a signature with s above n/2 is malleable and refused. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = Buffer.from(
  '7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0',
  'hex',
);

interface NativeSecp256k1 {
  ecdsaRecover(
    signature: Uint8Array,
    recid: number,
    message: Uint8Array,
    compressed: boolean,
  ): Uint8Array;
  ecdsaSign(message: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
}

let nativeModule: NativeSecp256k1 | null | undefined;

function nativeBinding(): NativeSecp256k1 | undefined {
  if (process.env['X402_EVM_NO_NATIVE'] === '1') return undefined;
  if (nativeModule === undefined) {
    try {
      // `secp256k1/bindings` is the native addon alone (its index falls back to a slow JS port).
      nativeModule = createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1;
    } catch {
      nativeModule = null;
    }
  }
  return nativeModule ?? undefined;
}

export type RecoveryBackend = 'native' | 'js';

type Recover = (digest: Uint8Array, rs: Uint8Array, recid: number) => Uint8Array | undefined;

const recoverJs: Recover = (digest, rs, recid) => {
  try {
    return noble.Signature.fromCompact(rs)
      .addRecoveryBit(recid)
      .recoverPublicKey(digest)
      .toRawBytes(false);
  } catch {
    return undefined;
  }
};

function loadNative(): Recover | undefined {
  const native = nativeBinding();
  if (!native) return undefined;
  return (digest, rs, recid) => {
    try {
      return native.ecdsaRecover(rs, recid, digest, false);
    } catch {
      return undefined;
    }
  };
}

/**
 * Signs a 32-byte hash with the native binding (RFC 6979, low s), or returns undefined when it is
 * not loaded or the JS backend is forced (callers then sign with viem).
 */
export function signHashNative(
  hash: Uint8Array,
  privateKey: Uint8Array,
): { r: Uint8Array; s: Uint8Array; yParity: number } | undefined {
  if (current().backend !== 'native') return undefined;
  const native = nativeBinding();
  if (!native) return undefined;
  const { signature, recid } = native.ecdsaSign(hash, privateKey);
  return { r: signature.subarray(0, 32), s: signature.subarray(32, 64), yParity: recid };
}

let active: { backend: RecoveryBackend; recover: Recover } | undefined;

function current() {
  if (!active) {
    const native = loadNative();
    active = native
      ? { backend: 'native', recover: native }
      : { backend: 'js', recover: recoverJs };
  }
  return active;
}

/** Which implementation recovers keys in this process. */
export function recoveryBackend(): RecoveryBackend {
  return current().backend;
}

/** Forces a backend (tests and the bench); `undefined` returns to the automatic choice. */
export function useRecoveryBackend(backend: RecoveryBackend | undefined): RecoveryBackend {
  if (backend === undefined) {
    active = undefined;
    return current().backend;
  }
  if (backend === 'js') {
    active = { backend: 'js', recover: recoverJs };
    return 'js';
  }
  const native = loadNative();
  if (!native) throw new Error('The native secp256k1 binding is not available here');
  active = { backend: 'native', recover: native };
  return 'native';
}

/** True when the 32-byte big-endian `s` is at most n/2 (the only form EIP-2 and USDC accept). */
export function isLowS(s: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(s.buffer, s.byteOffset, 32), HALF_N) <= 0;
}

/**
 * The uncompressed public key (65 bytes) that signed `digest`, from a 64-byte `r || s` and a
 * recovery id 0/1; undefined when the signature is invalid.
 */
export function recoverPublicKey(
  digest: Uint8Array,
  rs: Uint8Array,
  recid: number,
): Uint8Array | undefined {
  return current().recover(digest, rs, recid);
}
