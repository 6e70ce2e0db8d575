/**
 * @x402-rails/deferred/server — the checks a resource server makes on a voucher before serving:
 * parse the payload, check the channel's terms, the voucher's signature (native-free ECDSA, low s;
 * EIP-1271 through the chain) and its cumulative amount. (This slice has no server scheme yet: the
 * ledger compare-and-swap and the corrective 402 come next.)
 */
export {
  type ChannelTerms,
  type ChannelView,
  channelTermsProblem,
  cumulativeProblem,
} from './channel-rules.js';
export { BATCH_SETTLEMENT_SCHEME } from './constants.js';
export { channelIdOf, type EscrowDomain } from './eip712.js';
export { parseBatchSettlementPayload } from './parse.js';
export type { BatchSettlementPayload, ChannelConfig, RequirementsExtra } from './payload.js';
export { DeferredReason } from './reasons.js';
export {
  type VoucherSignatureCheck,
  type VoucherSignatureInput,
  verifyVoucherSignature,
  verifyVoucherSignatureOnChain,
} from './voucher.js';
