/**
 * @x402-rails/deferred/facilitator — what redemption sends to the escrow: its ABI and the
 * arguments of a batch `claim` and of a gasless `deposit`. (This slice has no facilitator scheme
 * or redemption job yet.)
 */

export { escrowAbi } from './escrow-abi.js';
export { channelConfigArg, claimArgs, depositArgs, erc3009CollectorData } from './escrow-calls.js';
export { DeferredReason } from './reasons.js';
export {
  type VoucherSignatureCheck,
  verifyVoucherSignature,
  verifyVoucherSignatureOnChain,
} from './voucher.js';
