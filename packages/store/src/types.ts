import type { PaymentLedger, SettlementJournal } from '@x402-rails/core';
import type { StoreDriver } from './config.js';
import type { CreditAccounts, CreditCharges } from './credit/types.js';
import type { DeferredLedger } from './deferred/types.js';

/** Rows deleted by one prune, per table. */
export interface PruneResult {
  payments: number;
  settlements: number;
}

/**
 * The durable ledger: the resource server's payment journal and the facilitator's settlement
 * journal, on one database.
 */
export interface Store {
  readonly driver: StoreDriver;
  /** Pass as `ledger` to `createResourceServer` from `@x402-rails/core/server`. */
  readonly payments: PaymentLedger;
  /** The facilitator's settlement journal. */
  readonly settlements: SettlementJournal;
  /**
   * The deferred rail's channel ledger (pass as the ledger of `@x402-rails/deferred`'s facilitator
   * and redemption job): on the SQL drivers, in their database; on `memory`, the in-process
   * `createMemoryDeferredLedger()`.
   */
  readonly deferredLedger: DeferredLedger;
  /** The credit-backed deferred rail's billing identities (`@x402-rails/deferred/credit`). */
  readonly creditAccounts: CreditAccounts;
  /** The credit-backed deferred rail's card-charge journal (its redemption job). */
  readonly creditCharges: CreditCharges;
  /**
   * Deletes final rows (payments settled, failed or released; settlements settled or failed)
   * last updated before `olderThan`. Rows still in flight are never deleted.
   */
  prune(olderThan: Date): Promise<PruneResult>;
  /** Stops retention and closes the database (the pool, or the embedded instance). Idempotent. */
  close(): Promise<void>;
}

/** What each driver builds; `openStore` adds retention and closing around it. */
export interface StoreParts {
  payments: PaymentLedger;
  settlements: SettlementJournal;
  deferredLedger: DeferredLedger;
  creditAccounts: CreditAccounts;
  creditCharges: CreditCharges;
  /** `before` in epoch ms. */
  prune(before: number): Promise<PruneResult>;
  close(): Promise<void>;
}
