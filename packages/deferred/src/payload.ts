/**
 * zod schemas of the batch-settlement wire shapes (the `payload` of a PaymentPayload, the `extra` of
 * PaymentRequirements and of a settle response), as the official EVM binding sends them. Amounts
 * are decimal strings of atomic token units; cumulative amounts fit the contract's uint128.
 */
import { z } from 'zod';
import { MAX_UINT128 } from './constants.js';

/** Longest signature accepted (an EIP-1271 wallet's may exceed 65 bytes, never this). */
export const MAX_SIGNATURE_HEX = 16_384;

export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'an address is 0x and 40 hex digits')
  .transform((s) => s as `0x${string}`);
export const bytes32Schema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'a bytes32 is 0x and 64 hex digits')
  .transform((s) => s as `0x${string}`);
export const signatureSchema = z
  .string()
  .max(MAX_SIGNATURE_HEX)
  .regex(/^0x(?:[0-9a-fA-F]{2})+$/, 'a signature is 0x and whole bytes of hex')
  .transform((s) => s as `0x${string}`);
/** A decimal amount that fits uint128, as a string (no sign, no leading zeros). */
export const uint128StringSchema = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,38})$/, 'an amount is a decimal integer string')
  .refine((s) => BigInt(s) <= MAX_UINT128, 'the amount exceeds uint128');
const uintStringSchema = z.string().regex(/^(0|[1-9][0-9]{0,77})$/);

/** The immutable identity of a channel; its EIP-712 hash is the channel id. */
export const channelConfigSchema = z.object({
  payer: addressSchema,
  /** Who signs vouchers; the zero address means the payer (an EOA or an EIP-1271 wallet). */
  payerAuthorizer: addressSchema,
  receiver: addressSchema,
  receiverAuthorizer: addressSchema,
  token: addressSchema,
  withdrawDelay: z
    .number()
    .int()
    .min(0)
    .max(2 ** 40 - 1),
  salt: bytes32Schema,
});
export type ChannelConfig = z.infer<typeof channelConfigSchema>;

/** A signed cumulative voucher: the receiver may claim up to `maxClaimableAmount` in total. */
export const voucherFieldsSchema = z.object({
  channelId: bytes32Schema,
  maxClaimableAmount: uint128StringSchema,
  signature: signatureSchema,
});
export type VoucherFields = z.infer<typeof voucherFieldsSchema>;

export const erc3009DepositAuthorizationSchema = z.object({
  validAfter: uintStringSchema,
  validBefore: uintStringSchema,
  salt: bytes32Schema,
  signature: signatureSchema,
});

export const voucherPayloadSchema = z.object({
  type: z.literal('voucher'),
  channelConfig: channelConfigSchema,
  voucher: voucherFieldsSchema,
});

/**
 * A first payment or a top-up: an ERC-3009 ReceiveWithAuthorization funding the channel plus the
 * voucher. The official binding's Permit2 alternative is recognised and refused (see README).
 */
export const depositPayloadSchema = z.object({
  type: z.literal('deposit'),
  channelConfig: channelConfigSchema,
  voucher: voucherFieldsSchema,
  deposit: z.object({
    amount: uint128StringSchema,
    authorization: z.union([
      z.object({ erc3009Authorization: erc3009DepositAuthorizationSchema }),
      z.object({ permit2Authorization: z.record(z.string(), z.unknown()) }),
    ]),
  }),
});

export const batchSettlementPayloadSchema = z.discriminatedUnion('type', [
  voucherPayloadSchema,
  depositPayloadSchema,
]);
export type BatchSettlementPayload = z.infer<typeof batchSettlementPayloadSchema>;
export type VoucherPayload = z.infer<typeof voucherPayloadSchema>;
export type DepositPayload = z.infer<typeof depositPayloadSchema>;

/** What the server knows of a channel, sent back in a corrective 402 and in settle responses. */
export const channelStateExtraSchema = z.object({
  channelId: bytes32Schema,
  balance: uint128StringSchema,
  totalClaimed: uint128StringSchema,
  withdrawRequestedAt: z.number().int().min(0),
  refundNonce: uintStringSchema,
  chargedCumulativeAmount: uint128StringSchema.optional(),
});

/** The latest voucher the server holds, so a client that lost its state can resume from it. */
export const voucherStateExtraSchema = z.object({
  signedMaxClaimable: uint128StringSchema.optional(),
  signature: signatureSchema.optional(),
});

/** `extra` of a batch-settlement PaymentRequirements. */
export const requirementsExtraSchema = z.object({
  receiverAuthorizer: addressSchema,
  withdrawDelay: z.number().int().min(0),
  /** The token's EIP-712 name and version (for the ERC-3009 deposit signature). */
  name: z.string().min(1),
  version: z.string().min(1),
  assetTransferMethod: z.enum(['eip3009', 'permit2']).optional(),
  /** Smallest first deposit the server takes, atomic units. */
  minDeposit: uint128StringSchema.optional(),
  channelState: channelStateExtraSchema.optional(),
  voucherState: voucherStateExtraSchema.optional(),
});
export type RequirementsExtra = z.infer<typeof requirementsExtraSchema>;

/**
 * `extra` of a successful settle response (PAYMENT-RESPONSE). Its `channelState` may hold only
 * `channelId` and `chargedCumulativeAmount` (settle reads no chain; the official server's own
 * enrichment sends no more either).
 */
export const settleResponseExtraSchema = z.object({
  chargedAmount: uint128StringSchema.optional(),
  channelState: channelStateExtraSchema
    .partial({ balance: true, totalClaimed: true, withdrawRequestedAt: true, refundNonce: true })
    .optional(),
  voucherState: voucherStateExtraSchema.optional(),
});
