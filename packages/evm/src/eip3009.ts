/**
 * EIP-3009 hashing without generic typed-data machinery: the `TransferWithAuthorization` struct has
 * a fixed layout (seven 32-byte words), so its EIP-712 digest is two Keccak-256 calls over buffers
 * written in place. Domain separators are cached per (name, version, chainId, token).
 */
import { keccak256 } from './keccak.js';

const encoder = new TextEncoder();
const hashText = (text: string) => keccak256(encoder.encode(text));

export const TRANSFER_WITH_AUTHORIZATION_TYPE =
  'TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)';
export const RECEIVE_WITH_AUTHORIZATION_TYPE =
  'ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)';
const EIP712_DOMAIN_TYPE =
  'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';

export const TRANSFER_WITH_AUTHORIZATION_TYPEHASH = hashText(TRANSFER_WITH_AUTHORIZATION_TYPE);
export const RECEIVE_WITH_AUTHORIZATION_TYPEHASH = hashText(RECEIVE_WITH_AUTHORIZATION_TYPE);
const EIP712_DOMAIN_TYPEHASH = hashText(EIP712_DOMAIN_TYPE);

/** An authorization with its fields as the digest needs them (addresses and nonce as 0x hex). */
export interface Authorization {
  from: string;
  to: string;
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  nonce: string;
}

export interface Eip712Domain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: string;
}

/** Writes 0x-prefixed hex of `bytes` bytes right-aligned into a 32-byte word at `offset`. */
function writeHexWord(buffer: Buffer, offset: number, hex: string): void {
  const digits = hex.length - 2;
  buffer.fill(0, offset, offset + 32 - digits / 2);
  buffer.write(hex.slice(2), offset + 32 - digits / 2, 'hex');
}

function writeUint(buffer: Buffer, offset: number, value: bigint): void {
  const hex = value.toString(16);
  const padded = hex.length % 2 === 0 ? hex : `0${hex}`;
  buffer.fill(0, offset, offset + 32 - padded.length / 2);
  buffer.write(padded, offset + 32 - padded.length / 2, 'hex');
}

const domainCache = new Map<string, Uint8Array>();

/** The EIP-712 domain separator (cached). */
export function domainSeparator(domain: Eip712Domain): Uint8Array {
  const key = `${domain.chainId}|${domain.verifyingContract.toLowerCase()}|${domain.name}|${domain.version}`;
  let separator = domainCache.get(key);
  if (!separator) {
    const buffer = Buffer.alloc(160);
    buffer.set(EIP712_DOMAIN_TYPEHASH, 0);
    buffer.set(hashText(domain.name), 32);
    buffer.set(hashText(domain.version), 64);
    writeUint(buffer, 96, BigInt(domain.chainId));
    writeHexWord(buffer, 128, domain.verifyingContract);
    separator = keccak256(buffer);
    if (domainCache.size > 10_000) domainCache.clear();
    domainCache.set(key, separator);
  }
  return separator;
}

const structBuffer = Buffer.alloc(224);
const digestBuffer = Buffer.alloc(66);
digestBuffer[0] = 0x19;
digestBuffer[1] = 0x01;

/**
 * The EIP-712 digest a `TransferWithAuthorization` (or, with its typehash,
 * `ReceiveWithAuthorization`) signature signs.
 */
export function authorizationDigest(
  separator: Uint8Array,
  auth: Authorization,
  typeHash: Uint8Array = TRANSFER_WITH_AUTHORIZATION_TYPEHASH,
  out: Uint8Array = new Uint8Array(32),
): Uint8Array {
  structBuffer.set(typeHash, 0);
  writeHexWord(structBuffer, 32, auth.from);
  writeHexWord(structBuffer, 64, auth.to);
  writeUint(structBuffer, 96, auth.value);
  writeUint(structBuffer, 128, auth.validAfter);
  writeUint(structBuffer, 160, auth.validBefore);
  writeHexWord(structBuffer, 192, auth.nonce);
  digestBuffer.set(separator, 2);
  keccak256(structBuffer, digestBuffer.subarray(34, 66));
  return keccak256(digestBuffer, out);
}

/** The lowercase 0x address of an uncompressed public key (65 bytes, 0x04 prefix). */
export function addressOfPublicKey(publicKey: Uint8Array): string {
  const hash = keccak256(publicKey.subarray(1));
  return `0x${Buffer.from(hash.buffer, hash.byteOffset + 12, 20).toString('hex')}`;
}

export function toHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}
