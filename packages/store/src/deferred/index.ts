/** The deferred rail's channel ledger: its one interface and the in-memory driver. */
export { createMemoryDeferredLedger, MemoryDeferredLedger } from './memory.js';
export type {
  ChannelIdentity,
  ChargedVoucher,
  CommitResult,
  DeferredChannel,
  DeferredChannelTerms,
  DeferredLedger,
  Hex,
  PayerChannelsQuery,
  PendingVoucher,
  RedeemableQuery,
  RedemptionRecord,
  RedemptionState,
  RedemptionVoucher,
  ReserveInput,
  ReserveResult,
  StoredVoucher,
} from './types.js';
