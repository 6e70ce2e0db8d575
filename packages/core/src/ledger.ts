/**
 * The resource server's payment journal. A payment id is claimed atomically before verify; every
 * state change is a checked transition, so two requests with one payment are never both served.
 *
 *   claimed → verified → settled | failed | released
 *   claimed → released            (verify refused it, or the facilitator was unreachable)
 *   released → claimed            (nothing was paid, so the same payment may be presented again)
 */
import { LedgerTransitionError } from './errors.js';

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
  /** Moves a record from `from` to `to` (compare-and-swap); throws `LedgerTransitionError` otherwise. */
  transition(
    paymentId: string,
    from: PaymentState,
    to: PaymentState,
    patch?: TransitionPatch,
  ): Promise<PaymentRecord>;
  get(paymentId: string): Promise<PaymentRecord | undefined>;
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

export interface MemoryLedgerOptions {
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * In-process ledger for unit tests and single-process tools. Atomic because every operation
 * completes synchronously before its promise resolves. Durable drivers live in `@x402-rails/store`.
 */
export function createMemoryLedger(
  options: MemoryLedgerOptions = {},
): PaymentLedger & { size(): number } {
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
    size: () => records.size,
  };
}
