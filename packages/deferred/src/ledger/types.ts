/**
 * The channel ledger's interface, defined once in `@x402-rails/store` (the store holds every
 * driver: memory, PGlite, Postgres) and re-exported here under the rail's names, so
 * `@x402-rails/deferred/ledger` keeps working.
 */
export type {
  DeferredChannel,
  DeferredChannelIdentity as ChannelIdentity,
  DeferredChannelTerms,
  DeferredChargedVoucher as ChargedVoucher,
  DeferredCommitResult as CommitResult,
  DeferredLedger,
  DeferredPayerChannelsQuery as PayerChannelsQuery,
  DeferredPendingVoucher as PendingVoucher,
  DeferredRedeemableQuery as RedeemableQuery,
  DeferredRedemptionRecord as RedemptionRecord,
  DeferredRedemptionState as RedemptionState,
  DeferredRedemptionVoucher as RedemptionVoucher,
  DeferredReserveInput as ReserveInput,
  DeferredReserveResult as ReserveResult,
  DeferredStoredVoucher as StoredVoucher,
} from '@x402-rails/store';

export type Hex = `0x${string}`;
