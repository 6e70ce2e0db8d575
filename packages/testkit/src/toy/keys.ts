/**
 * Ed25519 wallets for the toy rail, on node:crypto. An address is the 32-byte public key in hex.
 */
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const HEX_32 = /^[0-9a-f]{64}$/;

export interface ToyWallet {
  /** Hex public key. */
  readonly address: string;
  /** Hex 32-byte seed; keep it secret. */
  readonly secretKey: string;
  sign(message: Uint8Array): string;
}

/** A wallet from a hex seed, or a fresh random one. */
export function createToyWallet(secretKeyHex?: string): ToyWallet {
  const seed = secretKeyHex === undefined ? randomBytes(32) : Buffer.from(secretKeyHex, 'hex');
  if (seed.length !== 32 || (secretKeyHex !== undefined && !HEX_32.test(secretKeyHex))) {
    throw new TypeError('A toy secret key is 32 bytes as 64 lowercase hex characters');
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const address = spki.subarray(SPKI_ED25519_PREFIX.length).toString('hex');
  return {
    address,
    secretKey: seed.toString('hex'),
    sign: (message) => sign(null, message, privateKey).toString('hex'),
  };
}

const publicKeys = new Map<string, KeyObject>();
function publicKeyOf(address: string): KeyObject {
  let key = publicKeys.get(address);
  if (!key) {
    key = createPublicKey({
      key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(address, 'hex')]),
      format: 'der',
      type: 'spki',
    });
    if (publicKeys.size < 10_000) publicKeys.set(address, key);
  }
  return key;
}

export function isToyAddress(value: string): boolean {
  return HEX_32.test(value);
}

/** Verifies a hex signature by `address`; false for anything malformed (never throws). */
export function verifyToySignature(
  address: string,
  message: Uint8Array,
  signatureHex: string,
): boolean {
  if (!isToyAddress(address) || !/^[0-9a-f]{128}$/.test(signatureHex)) return false;
  try {
    return verify(null, message, publicKeyOf(address), Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}
