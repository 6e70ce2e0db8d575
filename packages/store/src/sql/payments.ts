/**
 * core's `PaymentLedger` in SQL, shared by the PGlite and Postgres drivers. Every decision is one
 * statement the database serialises: a claim is an upsert that only overwrites a released row, a
 * transition is a compare-and-swap on `state`. Nothing is decided in process memory, so it holds
 * across instances sharing one database.
 */
import {
  assertTransitionAllowed,
  type ClaimResult,
  isRepeatedTransition,
  LedgerTransitionError,
  type PaymentClaim,
  type PaymentLedger,
  type PaymentState,
  type TransitionPatch,
} from '@x402-rails/core';
import type { SqlParam, SqlQueryable } from './client.js';
import { nowMs, PAYMENT_COLUMNS, type PaymentRow, toPaymentRecord } from './rows.js';

/**
 * How many times a claim re-reads after losing a race. A refused claim reads the row it collided
 * with; if that row was released or pruned in between, the claim is tried again. Each retry needs
 * another writer to have changed the row meanwhile, so a handful is plenty.
 */
const CLAIM_ROUNDS = 8;

// A new id is inserted; an existing one is overwritten only while released (the state condition
// sits in the DO UPDATE's WHERE, so the check and the write are one atomic step). A re-claim
// starts a fresh attempt: the claim's fields, no payer/reason/transaction, the first createdAt.
const CLAIM_SQL = `
INSERT INTO x402_payments AS p
  (payment_id, scheme, network, asset, amount, pay_to, resource, state, attempts, created_at, updated_at)
VALUES ($2, $3, $4, $5, $6, $7, $8, 'claimed', 1, ${nowMs(1)}, ${nowMs(1)})
ON CONFLICT (payment_id) DO UPDATE SET
  scheme = EXCLUDED.scheme, network = EXCLUDED.network, asset = EXCLUDED.asset,
  amount = EXCLUDED.amount, pay_to = EXCLUDED.pay_to, resource = EXCLUDED.resource,
  state = 'claimed', attempts = p.attempts + 1,
  payer = NULL, reason = NULL, transaction_id = NULL,
  updated_at = EXCLUDED.updated_at
WHERE p.state = 'released'
RETURNING ${PAYMENT_COLUMNS}`;

// Compare-and-swap: the row moves only if it is still in `from`. A patch field left NULL keeps
// the earlier value, as the in-memory ledger keeps fields a patch does not name.
const TRANSITION_SQL = `
UPDATE x402_payments SET
  state = $4,
  payer = COALESCE($5, payer),
  reason = COALESCE($6, reason),
  transaction_id = COALESCE($7, transaction_id),
  updated_at = ${nowMs(1)}
WHERE payment_id = $2 AND state = $3
RETURNING ${PAYMENT_COLUMNS}`;

const GET_SQL = `SELECT ${PAYMENT_COLUMNS} FROM x402_payments WHERE payment_id = $1`;

const STALE_SQL = `
SELECT ${PAYMENT_COLUMNS} FROM x402_payments
WHERE state IN ('claimed', 'verified') AND updated_at < $1
ORDER BY updated_at, payment_id
LIMIT $2`;

export function createSqlPaymentLedger(db: SqlQueryable, now: () => number | null): PaymentLedger {
  async function read(paymentId: string): Promise<PaymentRow | undefined> {
    const [row] = await db.query<PaymentRow>(GET_SQL, [paymentId]);
    return row;
  }

  return {
    async claim(claim: PaymentClaim): Promise<ClaimResult> {
      // Only the claim's own fields are stored, whatever else an untyped caller passes.
      const params: SqlParam[] = [
        now(),
        claim.paymentId,
        claim.scheme,
        claim.network,
        claim.asset,
        claim.amount,
        claim.payTo,
        claim.resource,
      ];
      for (let round = 0; round < CLAIM_ROUNDS; round++) {
        const [won] = await db.query<PaymentRow>(CLAIM_SQL, params);
        if (won) return { claimed: true, record: toPaymentRecord(won) };
        const existing = await read(claim.paymentId);
        if (existing && existing.state !== 'released') {
          return { claimed: false, record: toPaymentRecord(existing) };
        }
      }
      throw new Error(
        `Payment ${claim.paymentId}: claim kept racing with releases or pruning; try again`,
      );
    },

    async transition(
      paymentId: string,
      from: PaymentState,
      to: PaymentState,
      patch: TransitionPatch = {},
    ) {
      assertTransitionAllowed(paymentId, from, to);
      const [moved] = await db.query<PaymentRow>(TRANSITION_SQL, [
        now(),
        paymentId,
        from,
        to,
        patch.payer ?? null,
        patch.reason ?? null,
        patch.transaction ?? null,
      ]);
      if (moved) return toPaymentRecord(moved);
      const row = await read(paymentId);
      const current = row ? toPaymentRecord(row) : undefined;
      if (current && isRepeatedTransition(current, to, patch)) return current;
      const actual = current?.state;
      throw new LedgerTransitionError('invalid_transaction_state', {
        message: `Payment ${paymentId} is ${actual ?? 'unknown'}, expected ${from}`,
        details: { paymentId, expected: from, actual: actual ?? null },
      });
    },

    async get(paymentId: string) {
      const row = await read(paymentId);
      return row ? toPaymentRecord(row) : undefined;
    },

    async stale(before: number, limit: number) {
      const rows = await db.query<PaymentRow>(STALE_SQL, [
        Math.floor(before),
        Math.max(0, Math.floor(limit)),
      ]);
      return rows.map(toPaymentRecord);
    },
  };
}
