/**
 * @x402-rails/store — the durable ledger: core's payment ledger and settlement journal on
 * memory, PGlite (embedded Postgres) or Postgres, with one SQL schema and versioned migrations.
 */
export {
  type RetentionOptions,
  type StoreConfig,
  StoreConfigSchema,
  type StoreDriver,
  type StoreOptions,
} from './config.js';
export type {
  ChannelIdentity as DeferredChannelIdentity,
  CommitResult as DeferredCommitResult,
  DeferredChannel,
  DeferredChannelConfig,
  DeferredLedger,
  RedeemableQuery as DeferredRedeemableQuery,
  RedemptionRecord as DeferredRedemptionRecord,
  ReserveInput as DeferredReserveInput,
  ReserveResult as DeferredReserveResult,
} from './deferred/types.js';
export { openStore } from './open.js';
export { MIGRATIONS, type Migration } from './sql/migrations.js';
export type { PruneResult, Store } from './types.js';
