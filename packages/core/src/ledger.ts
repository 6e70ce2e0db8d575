/**
 * The resource server's payment journal. A payment id is claimed atomically before verify; every
 * state change is a checked transition, so two requests with one payment are never both served.
 *
 *   claimed → verified → settled | failed | released
 *   claimed → released            (verify refused it, or the facilitator was unreachable)
 *   released → claimed            (nothing was paid, so the same payment may be presented again)
 */
import { LedgerTransitionError } from './errors.js';
import type { PaymentPayload, PaymentRequirements, SettleResponse } from './schemas.js';

export type PaymentState = 'claimed' | 'verified' | 'settled' | 'failed' | 'released';

/** Transitions a ledger must allow, and only these. */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentState, readonly PaymentState[]>> = {
  claimed: ['verified', 'released'],
  verified: ['settled', 'failed', 'released'],
  settled: [],
  failed: [],
  released: ['claimed'],
};

export interface PaymentClaim {
  paymentId: string;
  scheme: string;
  network: string;
  asset: string;
  amount: string;
  payTo: string;
  resource: string;
}

export interface PaymentRecord extends PaymentClaim {
  state: PaymentState;
  /** How many times the id has been claimed (re-claims after a release count). */
  attempts: number;
  payer?: string;
  reason?: string;
  transaction?: string;
  createdAt: number;
  updatedAt: number;
}

export type ClaimResult =
  | { claimed: true; record: PaymentRecord }
  | { claimed: false; record: PaymentRecord };

export interface TransitionPatch {
  payer?: string;
  reason?: string;
  transaction?: string;
}

export interface PaymentLedger {
  /**
   * Claims a payment id atomically: succeeds when the id is new or was released; otherwise
   * returns the existing record untouched.
   */
  claim(claim: PaymentClaim): Promise<ClaimResult>;
  /**
   * Moves a record from `from` to `to` (compare-and-swap). Idempotent: repeating a transition
   * that already happened (the record is in `to` with the same patch) returns the record.
   * Throws `LedgerTransitionError` otherwise.
   */
  transition(
    paymentId: string,
    from: PaymentState,
    to: PaymentState,
    patch?: TransitionPatch,
  ): Promise<PaymentRecord>;
  get(paymentId: string): Promise<PaymentRecord | undefined>;
  /**
   * Records still `claimed` or `verified` and last changed before `before` (epoch ms), oldest
   * first: requests that a crash interrupted, for the resource server's recovery.
   */
  stale(before: number, limit: number): Promise<PaymentRecord[]>;
}

/** Throws unless `from → to` is in the transition table. */
export function assertTransitionAllowed(
  paymentId: string,
  from: PaymentState,
  to: PaymentState,
): void {
  if (!PAYMENT_TRANSITIONS[from].includes(to)) {
    throw new LedgerTransitionError('invalid_transaction_state', {
      message: `Payment ${paymentId}: transition ${from} → ${to} is not allowed`,
      details: { paymentId, from, to },
    });
  }
}

/** Whether `record` already shows the transition to `to` with this patch (a harmless repeat). */
export function isRepeatedTransition(
  record: PaymentRecord,
  to: PaymentState,
  patch: TransitionPatch,
): boolean {
  return (
    record.state === to &&
    (patch.payer === undefined || patch.payer === record.payer) &&
    (patch.reason === undefined || patch.reason === record.reason) &&
    (patch.transaction === undefined || patch.transaction === record.transaction)
  );
}

export interface MemoryLedgerOptions {
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * In-process ledger for unit tests and single-process tools. Atomic because every operation
 * completes synchronously before its promise resolves. Durable drivers live in `@x402-rails/store`.
 */
/** What the in-memory implementations add: a size and retention, as the durable drivers have. */
export interface Prunable {
  size(): number;
  /** Deletes final rows last updated before `before` (epoch ms); returns how many. */
  prune(before: number): number;
}

export function createMemoryLedger(options: MemoryLedgerOptions = {}): PaymentLedger & Prunable {
  const now = options.now ?? Date.now;
  const records = new Map<string, PaymentRecord>();
  return {
    async claim(claim) {
      const existing = records.get(claim.paymentId);
      if (existing && existing.state !== 'released')
        return { claimed: false, record: { ...existing } };
      const time = now();
      const record: PaymentRecord = {
        ...claim,
        state: 'claimed',
        attempts: (existing?.attempts ?? 0) + 1,
        createdAt: existing?.createdAt ?? time,
        updatedAt: time,
      };
      records.set(claim.paymentId, record);
      return { claimed: true, record: { ...record } };
    },
    async transition(paymentId, from, to, patch = {}) {
      assertTransitionAllowed(paymentId, from, to);
      const record = records.get(paymentId);
      if (record && isRepeatedTransition(record, to, patch)) return { ...record };
      if (!record || record.state !== from) {
        throw new LedgerTransitionError('invalid_transaction_state', {
          message: `Payment ${paymentId} is ${record ? record.state : 'unknown'}, expected ${from}`,
          details: { paymentId, expected: from, actual: record?.state ?? null },
        });
      }
      // Only the patchable fields: an untyped caller cannot rewrite the id or the amount.
      if (patch.payer !== undefined) record.payer = patch.payer;
      if (patch.reason !== undefined) record.reason = patch.reason;
      if (patch.transaction !== undefined) record.transaction = patch.transaction;
      record.state = to;
      record.updatedAt = now();
      return { ...record };
    },
    async get(paymentId) {
      const record = records.get(paymentId);
      return record ? { ...record } : undefined;
    },
    async stale(before, limit) {
      return [...records.values()]
        .filter((r) => (r.state === 'claimed' || r.state === 'verified') && r.updatedAt < before)
        .sort((a, b) => a.updatedAt - b.updatedAt || (a.paymentId < b.paymentId ? -1 : 1))
        .slice(0, limit)
        .map((r) => ({ ...r }));
    },
    size: () => records.size,
    prune(before) {
      let deleted = 0;
      for (const [id, record] of records) {
        if (
          record.state !== 'claimed' &&
          record.state !== 'verified' &&
          record.updatedAt < before
        ) {
          records.delete(id);
          deleted++;
        }
      }
      return deleted;
    },
  };
}

/**
 * The facilitator's settlement journal: a settlement is begun (a pending row with a lease),
 * then completed with the rail's result. A settle retried with the same payment finds the row and
 * returns the first successful result instead of submitting again; a pending row whose lease
 * ran out (its facilitator crashed) is taken over and reconciled with the rail's own state.
 *
 *   pending → settled            (final: the payment settled once)
 *   pending → failed → pending   (a failed settlement may be tried again)
 */
export type SettlementState = 'pending' | 'settled' | 'failed';

export interface SettlementEntry {
  /** Rail-scoped payment key: `scheme:network:<rail payment id or payload digest>`. */
  key: string;
  scheme: string;
  network: string;
  /** What is needed to reconcile without the original request. */
  payload: PaymentPayload;
  requirements: PaymentRequirements;
}

export interface SettlementRecord extends SettlementEntry {
  state: SettlementState;
  /** The rail's answer, once completed. */
  result?: SettleResponse;
  /** How many times a settlement of this key was begun (first try, retries after failure, takeovers). */
  attempts: number;
  /** Until when (epoch ms) the pending row belongs to the facilitator that began it. */
  leaseUntil: number;
  createdAt: number;
  updatedAt: number;
}

export type BeginSettlement =
  /** This caller owns the settlement. `takeover`: an earlier attempt's lease ran out while pending. */
  | { started: true; takeover: boolean; record: SettlementRecord }
  /** Someone else settled it (`state: 'settled'`) or is settling it now (`state: 'pending'`, lease alive). */
  | { started: false; record: SettlementRecord };

export interface SettlementJournal {
  /**
   * Atomically: inserts a pending row; or re-begins a `failed` row; or takes over a `pending` row
   * whose lease ended before `now`. Otherwise returns the existing row untouched.
   */
  begin(entry: SettlementEntry, leaseMs: number): Promise<BeginSettlement>;
  /**
   * pending → settled | failed (by `result.success`). Throws `LedgerTransitionError` unless the
   * row is pending and, when `attempt` is given, still in that attempt (a takeover since then
   * fences the old owner out).
   */
  complete(key: string, result: SettleResponse, attempt?: number): Promise<SettlementRecord>;
  /** Extends the lease of a pending row still being settled (by `attempt`, when given). */
  renew(key: string, leaseMs: number, attempt?: number): Promise<void>;
  get(key: string): Promise<SettlementRecord | undefined>;
  /** Pending rows whose lease has ended, oldest first (for reconciliation after a crash). */
  expired(limit: number): Promise<SettlementRecord[]>;
}

/** In-process settlement journal for tests and single-process tools. */
export interface MemorySettlementJournalOptions extends MemoryLedgerOptions {
  /**
   * Deep-copy what goes in and comes out, as a database would (default true). The facilitator
   * engine's private default journal turns it off: it never mutates what it passes or gets, and
   * the copies would be most of a settlement's bookkeeping cost.
   */
  isolate?: boolean;
}

export function createMemorySettlementJournal(
  options: MemorySettlementJournalOptions = {},
): SettlementJournal & Prunable {
  const now = options.now ?? Date.now;
  const rows = new Map<string, SettlementRecord>();
  // Deep copies, as a database would give: no caller can reach into the journal's rows.
  const isolate = options.isolate ?? true;
  const clone = <T>(value: T): T => (isolate ? structuredClone(value) : value);
  const copy = (r: SettlementRecord): SettlementRecord => (isolate ? structuredClone(r) : { ...r });
  return {
    async begin(entry, leaseMs) {
      const time = now();
      const existing = rows.get(entry.key);
      if (existing) {
        const takeover = existing.state === 'pending' && existing.leaseUntil < time;
        if (existing.state === 'settled' || (existing.state === 'pending' && !takeover)) {
          return { started: false, record: copy(existing) };
        }
        existing.state = 'pending';
        delete existing.result; // a pending row carries no stale answer
        existing.attempts += 1;
        existing.leaseUntil = time + leaseMs;
        existing.updatedAt = time;
        return { started: true, takeover, record: copy(existing) };
      }
      const record: SettlementRecord = {
        ...clone(entry),
        state: 'pending',
        attempts: 1,
        leaseUntil: time + leaseMs,
        createdAt: time,
        updatedAt: time,
      };
      rows.set(entry.key, record);
      return { started: true, takeover: false, record: copy(record) };
    },
    async complete(key, result, attempt) {
      const row = rows.get(key);
      if (row?.state !== 'pending' || (attempt !== undefined && row.attempts !== attempt)) {
        throw new LedgerTransitionError('invalid_transaction_state', {
          message: `Settlement ${key} is ${row ? `${row.state} (attempt ${row.attempts})` : 'unknown'}, expected pending${attempt !== undefined ? ` in attempt ${attempt}` : ''}`,
          details: { key, actual: row?.state ?? null, attempt: row?.attempts ?? null },
        });
      }
      row.state = result.success ? 'settled' : 'failed';
      row.result = clone(result);
      row.updatedAt = now();
      return copy(row);
    },
    async renew(key, leaseMs, attempt) {
      const row = rows.get(key);
      if (row?.state === 'pending' && (attempt === undefined || row.attempts === attempt)) {
        row.leaseUntil = now() + leaseMs;
      }
    },
    async get(key) {
      const row = rows.get(key);
      return row ? copy(row) : undefined;
    },
    async expired(limit) {
      const time = now();
      return [...rows.values()]
        .filter((r) => r.state === 'pending' && r.leaseUntil < time)
        .sort((a, b) => a.createdAt - b.createdAt)
        .slice(0, limit)
        .map(copy);
    },
    size: () => rows.size,
    prune(before) {
      let deleted = 0;
      for (const [key, row] of rows) {
        if (row.state !== 'pending' && row.updatedAt < before) {
          rows.delete(key);
          deleted++;
        }
      }
      return deleted;
    },
  };
}
