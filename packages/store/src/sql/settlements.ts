/**
 * core's `SettlementJournal` in SQL, shared by the PGlite and Postgres drivers. `begin` is one
 * upsert whose state condition lets exactly one caller start (or restart, or take over) a
 * settlement; `complete` is a compare-and-swap from `pending`. Leases are compared with the same
 * clock that wrote them (the database's unless the store was given one).
 */
import {
  type BeginSettlement,
  LedgerTransitionError,
  type SettlementEntry,
  type SettlementJournal,
  type SettleResponse,
} from '@x402-rails/core';
import type { SqlParam, SqlQueryable } from './client.js';
import { nowMs, SETTLEMENT_COLUMNS, type SettlementRow, toSettlementRecord } from './rows.js';

/** As for claims: a refused begin re-reads, and retries if the row became startable meanwhile. */
const BEGIN_ROUNDS = 8;

// Inserts a pending row; or restarts a failed one; or takes over a pending one whose lease ended
// before now. The WHERE makes the check and the write one atomic step, and `begun_as` records
// which of the three happened, read back through RETURNING (the old state is not otherwise
// visible there). A restart keeps the first payload, requirements, createdAt and last result,
// as the in-memory journal does; its stale result is cleared.
const BEGIN_SQL = `
INSERT INTO x402_settlements AS s
  (key, scheme, network, payload, requirements, state, attempts, begun_as, lease_until, created_at, updated_at)
VALUES ($2, $3, $4, $5::jsonb, $6::jsonb, 'pending', 1, 'first', ${nowMs(1)} + $7::bigint, ${nowMs(1)}, ${nowMs(1)})
ON CONFLICT (key) DO UPDATE SET
  state = 'pending',
  attempts = s.attempts + 1,
  begun_as = CASE WHEN s.state = 'pending' THEN 'takeover' ELSE 'retry' END,
  lease_until = EXCLUDED.lease_until,
  result = NULL,
  updated_at = EXCLUDED.updated_at
WHERE s.state = 'failed' OR (s.state = 'pending' AND s.lease_until < EXCLUDED.updated_at)
RETURNING ${SETTLEMENT_COLUMNS}`;

// The row a refused begin collided with, and whether it has become startable since.
const BEGIN_REFUSED_SQL = `
SELECT ${SETTLEMENT_COLUMNS},
  (state = 'failed' OR (state = 'pending' AND lease_until < ${nowMs(1)})) AS startable
FROM x402_settlements WHERE key = $2`;

const COMPLETE_SQL = `
UPDATE x402_settlements SET
  state = CASE WHEN $3::boolean THEN 'settled' ELSE 'failed' END,
  result = $4::jsonb,
  updated_at = ${nowMs(1)}
WHERE key = $2 AND state = 'pending' AND ($5::int IS NULL OR attempts = $5::int)
RETURNING ${SETTLEMENT_COLUMNS}`;

// Renewing touches only the lease: updatedAt is the last state change, as in memory.
const RENEW_SQL = `
UPDATE x402_settlements SET lease_until = ${nowMs(1)} + $3::bigint
WHERE key = $2 AND state = 'pending' AND ($4::int IS NULL OR attempts = $4::int)`;

const GET_SQL = `SELECT ${SETTLEMENT_COLUMNS} FROM x402_settlements WHERE key = $1`;

const EXPIRED_SQL = `
SELECT ${SETTLEMENT_COLUMNS} FROM x402_settlements
WHERE state = 'pending' AND lease_until < ${nowMs(1)}
ORDER BY created_at, key
LIMIT $2`;

/** Leases are whole milliseconds in a bigint column; a lease that is not a number is a bug. */
function leaseParam(leaseMs: number): number {
  if (!Number.isFinite(leaseMs)) throw new RangeError(`leaseMs must be finite, got ${leaseMs}`);
  return Math.round(leaseMs);
}

export function createSqlSettlementJournal(
  db: SqlQueryable,
  now: () => number | null,
): SettlementJournal {
  return {
    async begin(entry: SettlementEntry, leaseMs: number): Promise<BeginSettlement> {
      const params: SqlParam[] = [
        now(),
        entry.key,
        entry.scheme,
        entry.network,
        JSON.stringify(entry.payload),
        JSON.stringify(entry.requirements),
        leaseParam(leaseMs),
      ];
      for (let round = 0; round < BEGIN_ROUNDS; round++) {
        const [started] = await db.query<SettlementRow>(BEGIN_SQL, params);
        if (started) {
          const takeover = started.begun_as === 'takeover';
          return { started: true, takeover, record: toSettlementRecord(started) };
        }
        const [existing] = await db.query<SettlementRow & { startable: boolean }>(
          BEGIN_REFUSED_SQL,
          [params[0] ?? null, entry.key],
        );
        if (existing && !existing.startable) {
          const { startable: _, ...row } = existing;
          return { started: false, record: toSettlementRecord(row) };
        }
      }
      throw new Error(`Settlement ${entry.key}: begin kept racing with other writers; try again`);
    },

    async complete(key: string, result: SettleResponse, attempt?: number) {
      const [done] = await db.query<SettlementRow>(COMPLETE_SQL, [
        now(),
        key,
        result.success === true,
        JSON.stringify(result),
        attempt ?? null,
      ]);
      if (done) return toSettlementRecord(done);
      const [row] = await db.query<SettlementRow>(GET_SQL, [key]);
      throw new LedgerTransitionError('invalid_transaction_state', {
        message: `Settlement ${key} is ${row ? `${row.state} (attempt ${row.attempts})` : 'unknown'}, expected pending${attempt !== undefined ? ` in attempt ${attempt}` : ''}`,
        details: { key, actual: row?.state ?? null, attempt: row?.attempts ?? null },
      });
    },

    async renew(key: string, leaseMs: number, attempt?: number) {
      await db.query(RENEW_SQL, [now(), key, leaseParam(leaseMs), attempt ?? null]);
    },

    async get(key: string) {
      const [row] = await db.query<SettlementRow>(GET_SQL, [key]);
      return row ? toSettlementRecord(row) : undefined;
    },

    async expired(limit: number) {
      // LIMIT NULL is no limit, as slice(0, Infinity) is in memory.
      const count = limit === Number.POSITIVE_INFINITY ? null : Math.max(0, Math.floor(limit) || 0);
      const rows = await db.query<SettlementRow>(EXPIRED_SQL, [now(), count]);
      return rows.map(toSettlementRecord);
    },
  };
}
