/**
 * @x402-rails/deferred — the deferred rail: x402's `batch-settlement` scheme on EVM chains.
 * Cumulative EIP-712 vouchers per channel, checked instantly and redeemed later in one batch from
 * the escrow. Shared pieces here; the roles on `./client`, `./server`, `./facilitator`.
 */
export {
  type ChannelTerms,
  type ChannelView,
  channelTermsProblem,
  cumulativeProblem,
} from './channel-rules.js';
export {
  BATCH_SETTLEMENT_DOMAIN,
  BATCH_SETTLEMENT_SCHEME,
  CHANNEL_CONFIG_TYPE,
  channelConfigTypes,
  MAX_WITHDRAW_DELAY,
  MIN_WITHDRAW_DELAY,
  OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
  OFFICIAL_ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
  VOUCHER_TYPE,
  voucherTypes,
} from './constants.js';
export { CreditReason } from './credit/reasons.js';
export {
  CREDIT_CHANNEL_CONFIG_TYPE,
  CREDIT_DECIMALS,
  CREDIT_DOMAIN,
  type CreditChannelConfig,
  type CreditRequirementsExtra,
  type CreditVoucherPayload,
  creditChannelConfigSchema,
  creditChannelConfigTypes,
  creditChannelIdOf,
  creditPeriodEnd,
  creditRequirementsExtraSchema,
  creditVoucherPayloadSchema,
} from './credit/wire.js';
export {
  channelConfigStructHash,
  channelIdOf,
  domainSeparator,
  type EscrowDomain,
  type LedgerDomain,
  type VoucherDomain,
  voucherDigest,
} from './eip712.js';
export { escrowAbi } from './escrow-abi.js';
export { channelConfigArg, claimArgs, depositArgs, erc3009CollectorData } from './escrow-calls.js';
export { DeferredRoleReason } from './facilitator/reasons.js';
export * from './ledger/index.js';
export { parseBatchSettlementPayload } from './parse.js';
export {
  type BatchSettlementPayload,
  batchSettlementPayloadSchema,
  type ChannelConfig,
  channelConfigSchema,
  channelStateExtraSchema,
  type DepositPayload,
  depositPayloadSchema,
  type RequirementsExtra,
  requirementsExtraSchema,
  settleResponseExtraSchema,
  type VoucherFields,
  type VoucherPayload,
  voucherFieldsSchema,
  voucherPayloadSchema,
  voucherStateExtraSchema,
} from './payload.js';
export { DeferredReason } from './reasons.js';
export {
  escrowEip712Domain,
  signChannelVoucher,
  signVoucher,
  type TypedDataSigner,
  type VoucherSignatureCheck,
  type VoucherSignatureInput,
  verifyChannelVoucherSignature,
  verifyVoucherSignature,
  verifyVoucherSignatureOnChain,
  voucherSignerOf,
  voucherTypedData,
} from './voucher.js';
export { createVoucherPayload } from './voucher-payload.js';
