/**
 * @x402-rails/deferred/ledger — the channel ledger interface the deferred rail stores vouchers in,
 * its in-memory implementation, and the contract suite every driver runs
 * (`@x402-rails/deferred/ledger-contract`).
 */
export { createMemoryDeferredLedger, MemoryDeferredLedger } from './memory.js';
export type {
  ChannelIdentity,
  ChargedVoucher,
  CommitResult,
  DeferredChannel,
  DeferredLedger,
  Hex,
  PendingVoucher,
  RedeemableQuery,
  RedemptionRecord,
  RedemptionState,
  RedemptionVoucher,
  ReserveInput,
  ReserveResult,
  StoredVoucher,
} from './types.js';
