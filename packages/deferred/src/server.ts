/**
 * @x402-rails/deferred/server — the resource server's role: `createDeferredServer` (requirements,
 * payment id, the corrective 402 with the channel state), and the checks a voucher must pass:
 * parse the payload, the channel's terms, the signature (low s; EIP-1271 through the chain) and
 * its cumulative amount.
 */
export {
  type ChannelTerms,
  type ChannelView,
  channelTermsProblem,
  cumulativeProblem,
} from './channel-rules.js';
export { BATCH_SETTLEMENT_SCHEME } from './constants.js';
export { type CreditServerOptions, createCreditServer } from './credit/server.js';
export { channelIdOf, type EscrowDomain } from './eip712.js';
export { deferredPaymentId } from './facilitator/payment-id.js';
export { parseBatchSettlementPayload } from './parse.js';
export type { BatchSettlementPayload, ChannelConfig, RequirementsExtra } from './payload.js';
export { DeferredReason } from './reasons.js';
export {
  type ChannelStateSource,
  createDeferredServer,
  type DeferredServerAsset,
  type DeferredServerNetwork,
  type DeferredServerOptions,
} from './server/server.js';
export {
  type VoucherSignatureCheck,
  type VoucherSignatureInput,
  verifyVoucherSignature,
  verifyVoucherSignatureOnChain,
} from './voucher.js';
