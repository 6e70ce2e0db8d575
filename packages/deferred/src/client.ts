/**
 * @x402-rails/deferred/client — the paying side: sign cumulative vouchers for a channel and wrap
 * them as a batch-settlement `voucher` payload. (This slice has no client scheme yet: deposits,
 * channel storage and the corrective-402 resync come next.)
 */
export { BATCH_SETTLEMENT_SCHEME, OFFICIAL_BATCH_SETTLEMENT_ADDRESS } from './constants.js';
export { channelIdOf, type EscrowDomain } from './eip712.js';
export type { ChannelConfig, VoucherFields, VoucherPayload } from './payload.js';
export { signVoucher, type TypedDataSigner, voucherTypedData } from './voucher.js';
export { createVoucherPayload } from './voucher-payload.js';
