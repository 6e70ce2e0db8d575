/**
 * Settling through the journal: a payment is submitted to its rail at most once. A retry of a
 * settled payment gets the first result; a settlement whose facilitator died half way is taken
 * over when its lease ends and reconciled with the rail's own record before anything is resubmitted.
 */
import { canonicalJson } from '../canonical-json.js';
import { X402Error } from '../errors.js';
import type { SettlementEntry, SettlementJournal } from '../ledger.js';
import type { PaymentPayload, PaymentRequirements, SettleResponse } from '../schemas.js';
import type { FacilitatorContext, SchemeFacilitator } from '../scheme.js';
import { failedSettlement } from '../settle-response.js';

export interface JournaledSettlementOptions {
  journal: SettlementJournal;
  /** How long a settlement belongs to the facilitator that began it; renewed while it runs. */
  leaseMs: number;
}

/** How long an unknowable settlement (a rail without `status`) is parked before anyone may retry. */
const UNKNOWN_PARK_MS = 24 * 60 * 60 * 1000;

const failure = failedSettlement;

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The journal key of a payment: the rail's payment id, or a digest of the scheme payload. */
export function settlementKey(
  rail: SchemeFacilitator,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
): string | Promise<string> {
  const prefix = `${requirements.scheme}:${requirements.network}:`;
  // Synchronous when the rail names the payment: no extra turn of the event loop per settle.
  if (rail.paymentId) return prefix + rail.paymentId(payload);
  return sha256Hex(canonicalJson(payload.payload)).then((digest) => `${prefix}sha256:${digest}`);
}

function thrownReason(error: unknown): string {
  return error instanceof X402Error ? error.code : 'unexpected_settle_error';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One attempt at a settlement: the journal fences writes to the attempt that owns the row. */
interface Attempt {
  key: string;
  attempt: number;
}

export function createJournaledSettlement(options: JournaledSettlementOptions) {
  const { journal, leaseMs } = options;

  // One timer renews the leases of every settlement in flight (a timer per settle costs more than
  // the rest of its bookkeeping); it stops when none is in flight, so it never holds the process.
  const renewing = new Set<Attempt>();
  let renewalTimer: ReturnType<typeof setInterval> | undefined;
  function startRenewals() {
    if (renewalTimer) return;
    renewalTimer = setInterval(
      () => {
        if (renewing.size === 0) {
          clearInterval(renewalTimer);
          renewalTimer = undefined;
          return;
        }
        for (const { key, attempt } of renewing)
          void journal.renew(key, leaseMs, attempt).catch(() => {});
      },
      Math.max(50, leaseMs / 3),
    );
    renewalTimer.unref?.();
  }

  /** Runs the rail's settle, renewing the lease while it takes. A throw leaves the row pending. */
  async function submit(
    rail: SchemeFacilitator,
    { key, attempt }: Attempt,
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    context?: FacilitatorContext,
  ) {
    const token = { key, attempt };
    renewing.add(token);
    startRenewals();
    try {
      const result = await rail.settle(payload, requirements, context);
      // If another attempt took over meanwhile, the journal refuses this write; the rail's answer
      // is still the truth for this caller, and the new owner reconciles with the rail's status.
      await journal.complete(key, result, attempt).catch(() => {});
      return result;
    } catch (error) {
      // The outcome is unknown (the rail may have moved money): the row stays pending, and
      // after its lease ends it is reconciled with the rail's status, never blindly resubmitted.
      // A rail that knows its pending transaction (X402Error details.transaction) passes it on.
      const result = failure(requirements, thrownReason(error), messageOf(error));
      const transaction = error instanceof X402Error ? error.details['transaction'] : undefined;
      return typeof transaction === 'string' ? { ...result, transaction } : result;
    } finally {
      renewing.delete(token);
    }
  }

  /** An earlier attempt died while pending: ask the rail what happened before doing anything. */
  async function reconcile(
    rail: SchemeFacilitator,
    attempt: Attempt,
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    context?: FacilitatorContext,
  ) {
    const { key } = attempt;
    if (!rail.status) {
      await journal.renew(key, UNKNOWN_PARK_MS, attempt.attempt);
      return failure(
        requirements,
        'settlement_unknown',
        'An earlier settlement was interrupted and this rail cannot report its outcome; check the rail before retrying',
      );
    }
    let status: Awaited<ReturnType<NonNullable<SchemeFacilitator['status']>>>;
    try {
      status = await rail.status(payload, requirements, context);
    } catch (error) {
      return failure(
        requirements,
        'settlement_in_progress',
        `Could not read the payment's state on the rail: ${messageOf(error)}`,
      );
    }
    if (status.state === 'settled') {
      await journal.complete(key, status.settlement, attempt.attempt).catch(() => {});
      return status.settlement;
    }
    if (status.state === 'pending') {
      return failure(
        requirements,
        'settlement_in_progress',
        'The payment is still being settled on the rail',
      );
    }
    return submit(rail, attempt, payload, requirements, context);
  }

  return {
    async settle(
      rail: SchemeFacilitator,
      payload: PaymentPayload,
      requirements: PaymentRequirements,
      context?: FacilitatorContext,
    ): Promise<SettleResponse> {
      let key: string;
      try {
        const named = settlementKey(rail, payload, requirements);
        key = typeof named === 'string' ? named : await named;
      } catch (error) {
        return failure(requirements, 'invalid_payload', messageOf(error));
      }
      const entry: SettlementEntry = {
        key,
        scheme: requirements.scheme,
        network: requirements.network,
        payload,
        requirements,
      };
      const begun = await journal.begin(entry, leaseMs);
      if (!begun.started) {
        if (begun.record.state === 'settled' && begun.record.result) return begun.record.result;
        return failure(
          requirements,
          'settlement_in_progress',
          'This payment is being settled by another request',
        );
      }
      return begun.takeover
        ? reconcile(rail, { key, attempt: begun.record.attempts }, payload, requirements, context)
        : submit(rail, { key, attempt: begun.record.attempts }, payload, requirements, context);
    },

    /** Takes over and reconciles pending settlements whose lease has ended (after a crash). */
    async reconcileExpired(
      resolve: (entry: SettlementEntry) => SchemeFacilitator | undefined,
      limit = 100,
    ) {
      const outcomes: { key: string; result: SettleResponse }[] = [];
      for (const record of await journal.expired(limit)) {
        const rail = resolve(record);
        if (!rail) continue;
        const begun = await journal.begin(record, leaseMs);
        if (!begun.started) continue; // another instance got there first
        outcomes.push({
          key: record.key,
          result: await reconcile(
            rail,
            { key: record.key, attempt: begun.record.attempts },
            record.payload,
            record.requirements,
          ),
        });
      }
      return outcomes;
    },
  };
}
