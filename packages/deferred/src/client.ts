/**
 * @x402-rails/deferred/client — the paying side: `createDeferredClient` (a core SchemeClient that
 * signs the next cumulative voucher per channel and resynchronises from a corrective 402), and the
 * lower-level voucher signing.
 */

export {
  type ChannelAmountStore,
  createDeferredClient,
  type DeferredClient,
  type DeferredClientOptions,
  type DeferredClientSigner,
} from './client/client.js';
export { BATCH_SETTLEMENT_SCHEME, OFFICIAL_BATCH_SETTLEMENT_ADDRESS } from './constants.js';
export {
  type CreditClient,
  type CreditClientOptions,
  type CreditClientSigner,
  createCreditClient,
} from './credit/client.js';
export { channelIdOf, type EscrowDomain } from './eip712.js';
export type { ChannelConfig, VoucherFields, VoucherPayload } from './payload.js';
export { signVoucher, type TypedDataSigner, voucherTypedData } from './voucher.js';
export { createVoucherPayload } from './voucher-payload.js';
