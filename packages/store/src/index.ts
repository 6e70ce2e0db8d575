/**
 * @x402-rails/store — the durable ledger: core's payment ledger and settlement journal, and the
 * deferred rail's channel ledger (its one interface), on memory, PGlite (embedded Postgres) or
 * Postgres, with one SQL schema and versioned migrations.
 */
export {
  type RetentionOptions,
  type StoreConfig,
  StoreConfigSchema,
  type StoreDriver,
  type StoreOptions,
} from './config.js';
export {
  type CreditAccount,
  type CreditAccountInput,
  type CreditAccounts,
  type CreditCharge,
  type CreditChargeState,
  type CreditCharges,
  type CreditCoverage,
  createMemoryCreditAccounts,
  createMemoryCreditCharges,
  creditAccountInputSchema,
  type FinishCharge,
} from './credit/index.js';
export {
  type ChannelIdentity as DeferredChannelIdentity,
  type ChargedVoucher as DeferredChargedVoucher,
  type CommitResult as DeferredCommitResult,
  createMemoryDeferredLedger,
  type DeferredChannel,
  type DeferredChannelTerms,
  type DeferredLedger,
  MemoryDeferredLedger,
  type PayerChannelsQuery as DeferredPayerChannelsQuery,
  type PendingVoucher as DeferredPendingVoucher,
  type RedeemableQuery as DeferredRedeemableQuery,
  type RedemptionRecord as DeferredRedemptionRecord,
  type RedemptionState as DeferredRedemptionState,
  type RedemptionVoucher as DeferredRedemptionVoucher,
  type ReserveInput as DeferredReserveInput,
  type ReserveResult as DeferredReserveResult,
  type StoredVoucher as DeferredStoredVoucher,
} from './deferred/index.js';
export { openStore } from './open.js';
export { MIGRATIONS, type Migration } from './sql/migrations.js';
export type { PruneResult, Store } from './types.js';
