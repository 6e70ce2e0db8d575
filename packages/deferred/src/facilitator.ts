/**
 * @x402-rails/deferred/facilitator — `createDeferredFacilitator` (verify = check + reserve in the
 * channel ledger, settle = commit, release), the escrow's ABI and call arguments. Redemption is on
 * `@x402-rails/deferred/redeem`.
 */

export {
  type CreditFacilitator,
  type CreditFacilitatorOptions,
  type CreditLedgerConfig,
  createCreditFacilitator,
  creditPaymentId,
} from './credit/facilitator.js';
export { CreditReason } from './credit/reasons.js';
export { escrowAbi } from './escrow-abi.js';
export { channelConfigArg, claimArgs, depositArgs, erc3009CollectorData } from './escrow-calls.js';
export {
  type ChainStateCache,
  type ChainStateCacheOptions,
  createChainStateCache,
  type EscrowChannelState,
} from './facilitator/chain-state.js';
export {
  type ChannelStateExtra,
  channelStateExtra,
  type SettleStateExtra,
  settleStateExtra,
} from './facilitator/channel-state-extra.js';
export {
  type DepositRelay,
  DepositRelayReason,
  depositNonce,
} from './facilitator/deposit-relay.js';
export {
  createDeferredFacilitator,
  type DeferredFacilitator,
  type DeferredFacilitatorNetwork,
  type DeferredFacilitatorOptions,
} from './facilitator/facilitator.js';
export { deferredPaymentId } from './facilitator/payment-id.js';
export { DeferredRoleReason } from './facilitator/reasons.js';
export { DeferredReason } from './reasons.js';
export {
  type VoucherSignatureCheck,
  verifyVoucherSignature,
  verifyVoucherSignatureOnChain,
} from './voucher.js';
