/**
 * A store over any `SqlDatabase`: migrate at open, then the ledger, the journal, the deferred rail's
 * channel ledger and pruning, all written once for PGlite and Postgres alike.
 */
import { createSqlCreditAccounts, createSqlCreditCharges } from '../credit/sql.js';
import type { StoreParts } from '../types.js';
import type { SqlDatabase } from './client.js';
import { createSqlDeferredLedger } from './deferred.js';
import { migrate } from './migrate.js';
import { createSqlPaymentLedger } from './payments.js';
import { createSqlSettlementJournal } from './settlements.js';

// Only final rows go: a claimed or verified payment, or a pending settlement, is work in flight
// that a restart must still find.
const PRUNE_PAYMENTS_SQL = `
WITH gone AS (
  DELETE FROM x402_payments
  WHERE state IN ('settled', 'failed', 'released') AND updated_at < $1::bigint
  RETURNING 1
) SELECT count(*)::integer AS n FROM gone`;

const PRUNE_SETTLEMENTS_SQL = `
WITH gone AS (
  DELETE FROM x402_settlements
  WHERE state IN ('settled', 'failed') AND updated_at < $1::bigint
  RETURNING 1
) SELECT count(*)::integer AS n FROM gone`;

/**
 * Migrates `db`, then builds the ledger on it. Without `now`, writes read the database's clock.
 * Closes `db` if the migration fails, so a failed open leaks no pool or WASM instance.
 */
export async function openSqlStore(
  db: SqlDatabase,
  now: (() => number) | undefined,
): Promise<StoreParts> {
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  const clock = now ? () => now() : () => null;
  return {
    payments: createSqlPaymentLedger(db, clock),
    settlements: createSqlSettlementJournal(db, clock),
    deferredLedger: createSqlDeferredLedger(db),
    creditAccounts: createSqlCreditAccounts(db),
    creditCharges: createSqlCreditCharges(db),
    async prune(before) {
      const [payments] = await db.query<{ n: number }>(PRUNE_PAYMENTS_SQL, [before]);
      const [settlements] = await db.query<{ n: number }>(PRUNE_SETTLEMENTS_SQL, [before]);
      return { payments: Number(payments?.n ?? 0), settlements: Number(settlements?.n ?? 0) };
    },
    close: () => db.close(),
  };
}
