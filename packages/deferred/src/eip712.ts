/**
 * EIP-712 hashing of the batch-settlement structs, by hand on the hot path (fixed-size words into
 * one buffer, one keccak each) instead of viem's generic encoder; tested against viem's
 * `hashTypedData`. The domain binds the chain and the escrow contract, or (credit-backed) a ledger. The keccak is the EVM rail's
 * unrolled one (`@x402-rails/evm/crypto`); type hashes and domain separators are computed once.
 */
import { keccak256 } from '@x402-rails/evm/crypto';
import {
  BATCH_SETTLEMENT_DOMAIN,
  CHANNEL_CONFIG_TYPE,
  MAX_UINT128,
  VOUCHER_TYPE,
} from './constants.js';
import type { ChannelConfig } from './payload.js';

/** Which chain and which escrow contract a channel and its vouchers belong to. */
export interface EscrowDomain {
  chainId: number;
  /** The escrow contract (the EIP-712 verifyingContract). */
  escrow: `0x${string}`;
}

/**
 * The domain of a credit-backed channel: a ledger, not a chain — `{ name, version,
 * verifyingContract: ledger }` with no chainId. Its domain type differs from the escrow's, so a
 * signature under one is never valid under the other.
 */
export interface LedgerDomain {
  name: string;
  version: string;
  /** The ledger's verifying address (the EIP-712 verifyingContract). */
  ledger: `0x${string}`;
}

/** What a voucher signature binds: an escrow on a chain, or a credit ledger. */
export type VoucherDomain = EscrowDomain | LedgerDomain;

export const isLedgerDomain = (domain: VoucherDomain): domain is LedgerDomain => 'ledger' in domain;

const encoder = new TextEncoder();
const keccakText = (text: string) => keccak256(encoder.encode(text));

const DOMAIN_TYPEHASH = keccakText(
  'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)',
);
const LEDGER_DOMAIN_TYPEHASH = keccakText(
  'EIP712Domain(string name,string version,address verifyingContract)',
);
const NAME_HASH = keccakText(BATCH_SETTLEMENT_DOMAIN.name);
const VERSION_HASH = keccakText(BATCH_SETTLEMENT_DOMAIN.version);
export const CHANNEL_CONFIG_TYPEHASH = keccakText(CHANNEL_CONFIG_TYPE);
export const VOUCHER_TYPEHASH = keccakText(VOUCHER_TYPE);

export function toHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** Writes a 0x-hex value right-aligned into the 32-byte word at `offset`. */
export function putHex(out: Uint8Array, offset: number, hex: string): void {
  const digits = hex.slice(2);
  const bytes = Buffer.from(digits, 'hex');
  if (bytes.length * 2 !== digits.length || bytes.length > 32) {
    throw new TypeError(`not a hex word: ${hex.slice(0, 70)}`);
  }
  out.set(bytes, offset + 32 - bytes.length);
}

export function putUint(out: Uint8Array, offset: number, value: bigint): void {
  let v = value;
  for (let i = offset + 31; i >= offset && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

const separators = new Map<string, Uint8Array>();

/** The EIP-712 domain separator of the escrow or ledger (cached per domain). */
export function domainSeparator(domain: VoucherDomain): Uint8Array {
  if (isLedgerDomain(domain)) return ledgerDomainSeparator(domain);
  const key = `${domain.chainId}:${domain.escrow.toLowerCase()}`;
  let separator = separators.get(key);
  if (!separator) {
    if (!Number.isSafeInteger(domain.chainId) || domain.chainId <= 0) {
      throw new TypeError(`not a chain id: ${domain.chainId}`);
    }
    const words = new Uint8Array(160);
    words.set(DOMAIN_TYPEHASH, 0);
    words.set(NAME_HASH, 32);
    words.set(VERSION_HASH, 64);
    putUint(words, 96, BigInt(domain.chainId));
    putHex(words, 128, domain.escrow);
    separator = keccak256(words);
    separators.set(key, separator);
  }
  return separator;
}

function ledgerDomainSeparator(domain: LedgerDomain): Uint8Array {
  const key = `ledger:${domain.ledger.toLowerCase()}:${domain.name}:${domain.version}`;
  let separator = separators.get(key);
  if (!separator) {
    const words = new Uint8Array(128);
    words.set(LEDGER_DOMAIN_TYPEHASH, 0);
    words.set(keccakText(domain.name), 32);
    words.set(keccakText(domain.version), 64);
    putHex(words, 96, domain.ledger);
    separator = keccak256(words);
    separators.set(key, separator);
  }
  return separator;
}

// Scratch buffers of the synchronous hashing below (never shared across an await). The `0x1901`
// prefix and the voucher type hash are written once.
const typedMessage = new Uint8Array(66);
typedMessage[0] = 0x19;
typedMessage[1] = 0x01;
const voucherWords = new Uint8Array(96);
voucherWords.set(VOUCHER_TYPEHASH, 0);
const structHashOut = new Uint8Array(32);

/** keccak256(0x1901 ‖ domainSeparator ‖ structHash): the digest EIP-712 signs. */
export function typedDataHash(domain: VoucherDomain, structHash: Uint8Array): Uint8Array {
  typedMessage.set(domainSeparator(domain), 2);
  typedMessage.set(structHash, 34);
  return keccak256(typedMessage);
}

/** hashStruct(ChannelConfig). */
export function channelConfigStructHash(config: ChannelConfig): Uint8Array {
  const words = new Uint8Array(256);
  words.set(CHANNEL_CONFIG_TYPEHASH, 0);
  putHex(words, 32, config.payer);
  putHex(words, 64, config.payerAuthorizer);
  putHex(words, 96, config.receiver);
  putHex(words, 128, config.receiverAuthorizer);
  putHex(words, 160, config.token);
  if (!Number.isInteger(config.withdrawDelay) || config.withdrawDelay < 0) {
    throw new TypeError(`not a uint40: ${config.withdrawDelay}`);
  }
  putUint(words, 192, BigInt(config.withdrawDelay));
  putHex(words, 224, config.salt);
  return keccak256(words);
}

/**
 * The channel id: the EIP-712 hash of the channel config under the escrow's domain, as the
 * official binding's `computeChannelId` and the contract's `getChannelId` compute it. Lowercase.
 */
export function channelIdOf(config: ChannelConfig, domain: EscrowDomain): `0x${string}` {
  return toHex(typedDataHash(domain, channelConfigStructHash(config)));
}

/** The digest a voucher signature signs: EIP-712 `Voucher(channelId, maxClaimableAmount)`. */
export function voucherDigest(
  channelId: string,
  maxClaimableAmount: bigint,
  domain: VoucherDomain,
): Uint8Array {
  if (maxClaimableAmount < 0n || maxClaimableAmount > MAX_UINT128) {
    throw new RangeError('a voucher amount is a uint128');
  }
  voucherWords.fill(0, 32);
  putHex(voucherWords, 32, channelId);
  putUint(voucherWords, 64, maxClaimableAmount);
  return typedDataHash(domain, keccak256(voucherWords, structHashOut));
}
