/**
 * The credit-backed binding of batch-settlement (ours): the wire shapes, the channel config's
 * EIP-712 hash under the ledger's domain, and the billing period. A voucher is the EVM binding's
 * `(channelId, maxClaimableAmount)` struct signed under `{ name, version, verifyingContract:
 * ledger }` (no chainId); amounts are micro-dollars (6 decimals).
 */
import { keccak256 } from '@x402-rails/evm/crypto';
import { z } from 'zod';
import { type LedgerDomain, putHex, putUint, toHex, typedDataHash } from '../eip712.js';
import { addressSchema, bytes32Schema, voucherFieldsSchema } from '../payload.js';

/** The default EIP-712 name and version of a credit ledger's domain. */
export const CREDIT_DOMAIN = { name: 'x402 Credit Ledger', version: '1' } as const;

/** Decimals of a credit amount: micro-dollars, so $0.001 is 1000. */
export const CREDIT_DECIMALS = 6;

/** The one salt a credit channel may have: one channel per payer, receiver and period. */
export const ZERO_SALT = `0x${'00'.repeat(32)}` as const;

export const CREDIT_CHANNEL_CONFIG_TYPE =
  'CreditChannelConfig(address payer,address payerAuthorizer,address receiver,string currency,uint64 periodEnd,bytes32 salt)';

export const creditChannelConfigTypes = {
  CreditChannelConfig: [
    { name: 'payer', type: 'address' },
    { name: 'payerAuthorizer', type: 'address' },
    { name: 'receiver', type: 'address' },
    { name: 'currency', type: 'string' },
    { name: 'periodEnd', type: 'uint64' },
    { name: 'salt', type: 'bytes32' },
  ],
} as const;

/** The end of a billing period, unix seconds. */
const periodEndSchema = z
  .number()
  .int()
  .min(1)
  .max(2 ** 40);

/** A credit channel's terms: its EIP-712 hash under the ledger's domain is the channel id. */
export const creditChannelConfigSchema = z.strictObject({
  payer: addressSchema,
  /** Who signs vouchers: the payer, or the zero address meaning the payer. */
  payerAuthorizer: addressSchema,
  receiver: addressSchema,
  currency: z.string().regex(/^[a-z]{3}$/, 'a currency is a lower-case ISO code'),
  /** The end of the billing period this channel belongs to, unix seconds. */
  periodEnd: periodEndSchema,
  salt: bytes32Schema,
});
export type CreditChannelConfig = z.infer<typeof creditChannelConfigSchema>;

export const creditVoucherPayloadSchema = z.object({
  type: z.literal('voucher'),
  channelConfig: creditChannelConfigSchema,
  voucher: voucherFieldsSchema,
});
export type CreditVoucherPayload = z.infer<typeof creditVoucherPayloadSchema>;

/** `extra` of credit-backed requirements (plus, on a corrective 402, the channel state). */
export const creditRequirementsExtraSchema = z.object({
  name: z.string().min(1).max(128),
  version: z.string().min(1).max(32),
  ledger: addressSchema,
  periodEnd: periodEndSchema,
  decimals: z.literal(CREDIT_DECIMALS),
});
export type CreditRequirementsExtra = z.infer<typeof creditRequirementsExtraSchema>;

const CREDIT_NETWORK = /^credit:[-_a-zA-Z0-9]{1,32}$/;
export const isCreditNetwork = (network: string) => CREDIT_NETWORK.test(network);

const encoder = new TextEncoder();
const CONFIG_TYPEHASH = keccak256(encoder.encode(CREDIT_CHANNEL_CONFIG_TYPE));

/** hashStruct(CreditChannelConfig). */
export function creditChannelConfigStructHash(config: CreditChannelConfig): Uint8Array {
  const words = new Uint8Array(224);
  words.set(CONFIG_TYPEHASH, 0);
  putHex(words, 32, config.payer);
  putHex(words, 64, config.payerAuthorizer);
  putHex(words, 96, config.receiver);
  words.set(keccak256(encoder.encode(config.currency)), 128);
  putUint(words, 160, BigInt(config.periodEnd));
  putHex(words, 192, config.salt);
  return keccak256(words);
}

/** The channel id: the EIP-712 hash of the config under the ledger's domain. Lowercase. */
export function creditChannelIdOf(
  config: CreditChannelConfig,
  domain: LedgerDomain,
): `0x${string}` {
  return toHex(typedDataHash(domain, creditChannelConfigStructHash(config)));
}

/**
 * The end (unix seconds) of the billing period holding `nowMs`: periods are `periodSeconds` long
 * and aligned to the Unix epoch, so every instance computes the same one.
 */
export function creditPeriodEnd(nowMs: number, periodSeconds: number): number {
  return (Math.floor(nowMs / 1000 / periodSeconds) + 1) * periodSeconds;
}
