/**
 * Ed25519 with node:crypto: synchronous, and several times faster than importing a WebCrypto key
 * per signature. Public keys are cached (a payer signs many payments).
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { getAddressEncoder, type ReadonlyUint8Array } from '@solana/kit';

/** Bytes as kit hands them out (read-only views) or as Node does. */
export type Bytes = Uint8Array | ReadonlyUint8Array;

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const addressEncoder = getAddressEncoder();
const keys = new Map<string, KeyObject>();
const MAX_CACHED = 10_000;

function publicKeyOf(address: string): KeyObject {
  let key = keys.get(address);
  if (!key) {
    const raw = addressEncoder.encode(
      address as Parameters<typeof addressEncoder.encode>[0],
    ) as Uint8Array;
    key = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, raw]),
      format: 'der',
      type: 'spki',
    });
    if (keys.size >= MAX_CACHED) keys.clear();
    keys.set(address, key);
  }
  return key;
}

/** Whether `signature` is `address`'s Ed25519 signature of `message`. False for any bad input. */
export function verifyEd25519(address: string, signature: Bytes, message: Bytes): boolean {
  try {
    return (
      signature.length === 64 &&
      verify(null, message as Uint8Array, publicKeyOf(address), signature as Uint8Array)
    );
  } catch {
    return false;
  }
}

/** A signing key from a 32-byte Ed25519 seed. */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function publicKeyBytes(key: KeyObject): Uint8Array {
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return Uint8Array.from(der.subarray(der.length - 32));
}

export function signEd25519(key: KeyObject, message: Bytes): Uint8Array {
  return Uint8Array.from(sign(null, message as Uint8Array, key));
}
