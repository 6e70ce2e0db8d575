/**
 * Redemption by card: for each buyer, the channels whose billing period has ended and that owe
 * something are due; their total (micro-dollars, rounded down to cents — the sub-cent rest stays
 * owed) is charged as ONE off-session PaymentIntent on the buyer's saved card, or carried to a later
 * run when below the processor's minimum. Each charge is journaled before Stripe is called, under
 * an id derived from what it covers, which is also its idempotency key: a run killed at any point,
 * or run twice, or twice at once, charges once. Claims are recorded (monotonic) before the row is
 * closed. The signed vouchers stay in the channel ledger as the evidence.
 */
import { createHash } from 'node:crypto';
import type { CreditAccounts, CreditCharge, CreditCharges } from '@x402-rails/store';
import { minimumChargeOf } from '@x402-rails/stripe';
import { classifyStripeError } from '@x402-rails/stripe/facilitator';
import type Stripe from 'stripe';
import type { DeferredChannel, DeferredLedger, Hex } from '../ledger/types.js';
import { creditChannelConfigSchema } from './wire.js';

/** Micro-dollars per cent. */
const MICROS_PER_CENT = 10_000n;

export interface RedeemCreditOptions {
  /** The channel ledger holding the vouchers. */
  ledger: DeferredLedger;
  accounts: CreditAccounts;
  charges: CreditCharges;
  /** A Stripe client (`createStripeApi` of `@x402-rails/stripe`, or `new Stripe(key)`). */
  stripe: Pick<Stripe, 'paymentIntents'>;
  /** The credit network (`credit:<name>`) and its ledger address. */
  network: string;
  ledgerAddress: Hex;
  /** The clock, epoch ms (a period is due once its end has passed). */
  now?: () => number;
  /** Most channels read per run (default 10 000). */
  limit?: number;
  /**
   * How long after its row was written a pending charge may still be re-sent under its key
   * (default 23 h). Stripe replays a key's first answer for at least 24 h; after that a re-send
   * could charge a second time, so an older pending row is reported `unresolved` and left alone
   * until someone looks the PaymentIntent up (metadata `x402_charge` = the row id) and records
   * the answer with `charges.finish`.
   */
  idempotencyWindowMs?: number;
}

export type CreditOutcome =
  /** One PaymentIntent succeeded for the due total. */
  | 'charged'
  /** Below the processor's minimum: nothing charged, the debt stays for a later run. */
  | 'carried'
  /** The card was declined: the debt stays; the next run tries again (attempt + 1). */
  | 'declined'
  /** Stripe's answer is unknown (5xx, network, lost reply): the next run retries the same key. */
  | 'pending'
  /** Stripe refused the request for another reason (e.g. the customer is gone): retried next run. */
  | 'failed'
  /** The payer has no billing identity any more: nothing can be charged. */
  | 'no_account'
  /**
   * A pending charge older than Stripe's idempotency window: not re-sent (that could charge
   * twice); the buyer's debt waits until the row is resolved by hand.
   */
  | 'unresolved';

export interface CreditChannelReport {
  channelId: Hex;
  periodEnd: number;
  /** The cumulative amount of the channel's latest signed voucher (the evidence). */
  voucherCumulative: bigint;
  /** What was collected before this run. */
  claimedBefore: bigint;
}

export interface CreditBuyerReport {
  payer: Hex;
  outcome: CreditOutcome;
  channels: CreditChannelReport[];
  /** What the due channels owed (micro-dollars). */
  owed: bigint;
  /** Cents charged or attempted (absent when carried). */
  amountCents?: number;
  /** Micro-dollars left owed after this run (a carried total, a sub-cent rest, or a declined debt). */
  carried: bigint;
  charge?: string;
  attempt?: number;
  paymentIntent?: string;
  declineCode?: string;
  message?: string;
}

export interface CreditRedemptionReport {
  buyers: CreditBuyerReport[];
}

/** The journal id (= idempotency key) of a charge: what it covers, for whom, which attempt. */
function chargeIdOf(payer: Hex, attempt: number, covered: CreditCharge['covered']): string {
  const what = covered.map((c) => `${c.channelId}:${c.claimedTo}`).join(',');
  const digest = createHash('sha256').update(`${payer}|${attempt}|${what}`).digest('hex');
  return `x402credit_${digest.slice(0, 40)}`;
}

/** Spreads `budget` micro-dollars over the channels' debts, oldest first. */
function allocate(channels: DeferredChannel[], budget: bigint): CreditCharge['covered'] {
  const covered: CreditCharge['covered'] = [];
  let left = budget;
  for (const c of channels) {
    if (left === 0n) break;
    // bigints: no Math.min
    let take = c.charged - c.claimed;
    if (take > left) take = left;
    covered.push({ channelId: c.channelId, claimedTo: c.claimed + take });
    left -= take;
  }
  return covered;
}

type Answer =
  | { state: 'succeeded'; paymentIntent: string }
  | { state: 'declined'; paymentIntent?: string; declineCode: string; message: string }
  | { state: 'failed'; paymentIntent?: string; message: string }
  | { state: 'pending'; message: string };

function answerOf(pi: Stripe.PaymentIntent): Answer {
  // stripe-node resolves a 5xx without an error body as a success: trust only a real status.
  switch (pi.status) {
    case 'succeeded':
      return { state: 'succeeded', paymentIntent: pi.id };
    case 'requires_payment_method':
    case 'requires_action':
    case 'requires_confirmation':
      return {
        state: 'declined',
        paymentIntent: pi.id,
        declineCode:
          pi.last_payment_error?.decline_code ??
          pi.last_payment_error?.code ??
          'authentication_required',
        message: pi.last_payment_error?.message ?? 'The card needs the buyer to act.',
      };
    case 'canceled':
      return { state: 'failed', paymentIntent: pi.id, message: 'The PaymentIntent was canceled.' };
    default:
      return { state: 'pending', message: `Stripe answered status ${String(pi.status)}.` };
  }
}

async function callStripe(
  stripe: RedeemCreditOptions['stripe'],
  row: CreditCharge,
): Promise<Answer> {
  try {
    const pi = await stripe.paymentIntents.create(
      {
        amount: row.amountCents,
        currency: row.currency,
        customer: row.customer,
        payment_method: row.paymentMethod,
        off_session: true,
        confirm: true,
        description: `x402 usage (${row.covered.length} channel${row.covered.length === 1 ? '' : 's'})`,
        metadata: { x402_charge: row.id, x402_payer: row.payer },
      },
      { idempotencyKey: row.id },
    );
    return answerOf(pi);
  } catch (error) {
    const failure = classifyStripeError(error, 'unexpected_settle_error');
    if (failure.retryable) return { state: 'pending', message: failure.message };
    const paymentIntent = failure.paymentIntent ? { paymentIntent: failure.paymentIntent } : {};
    if (error instanceof Error && (error as { type?: string }).type === 'StripeCardError') {
      const code = failure.declineCode ?? (error as { code?: string }).code ?? 'card_declined';
      return { state: 'declined', declineCode: code, message: failure.message, ...paymentIntent };
    }
    return { state: 'failed', message: failure.message, ...paymentIntent };
  }
}

async function recordClaims(
  options: RedeemCreditOptions,
  now: () => number,
  row: CreditCharge,
): Promise<void> {
  for (const c of row.covered) await options.ledger.recordClaim(c.channelId, c.claimedTo, now());
}

/** Records the answer: claims first (monotonic, so a replay is harmless), then the row's end. */
async function settleRow(
  options: RedeemCreditOptions,
  now: () => number,
  row: CreditCharge,
  answer: Answer,
): Promise<CreditCharge> {
  if (answer.state === 'pending') return row;
  if (answer.state === 'succeeded') await recordClaims(options, now, row);
  const finished = await options.charges.finish(row.id, {
    state: answer.state,
    now: now(),
    ...('paymentIntent' in answer && answer.paymentIntent
      ? { paymentIntent: answer.paymentIntent }
      : {}),
    ...(answer.state === 'declined' ? { declineCode: answer.declineCode } : {}),
  });
  return finished ?? row;
}

const OUTCOME = {
  pending: 'pending',
  succeeded: 'charged',
  declined: 'declined',
  failed: 'failed',
} as const;

function rowReport(
  row: CreditCharge,
  base: Omit<CreditBuyerReport, 'outcome' | 'carried'>,
  owed: bigint,
  message: string | undefined,
): CreditBuyerReport {
  const paid = row.state === 'succeeded' ? BigInt(row.amountCents) * MICROS_PER_CENT : 0n;
  return {
    ...base,
    outcome: OUTCOME[row.state],
    amountCents: row.amountCents,
    carried: owed - paid,
    charge: row.id,
    attempt: row.attempt,
    ...(row.paymentIntent ? { paymentIntent: row.paymentIntent } : {}),
    ...(row.declineCode ? { declineCode: row.declineCode } : {}),
    ...(message && row.state !== 'succeeded' ? { message } : {}),
  };
}

const channelReport = (c: DeferredChannel): CreditChannelReport => ({
  channelId: c.channelId,
  periodEnd: Number(c.config['periodEnd'] ?? 0),
  voucherCumulative: c.chargedVoucher?.maxClaimableAmount ?? 0n,
  claimedBefore: c.claimed,
});

/**
 * Charges every buyer's ended periods, once.
 *
 * @example
 * const report = await redeemCredit({ ledger: store.deferredLedger, accounts: store.creditAccounts,
 *   charges: store.creditCharges, stripe, network: 'credit:acme', ledgerAddress });
 */
export async function redeemCredit(options: RedeemCreditOptions): Promise<CreditRedemptionReport> {
  const now = options.now ?? Date.now;
  const buyers: CreditBuyerReport[] = [];
  const busy = new Set<string>();

  // 1. Charges whose answer was never recorded: the same request, the same key.
  const window = options.idempotencyWindowMs ?? 23 * 3_600_000;
  for (const row of await options.charges.pending()) {
    busy.add(row.payer.toLowerCase());
    const channels = await Promise.all(row.covered.map((c) => options.ledger.get(c.channelId)));
    const known = channels.filter((c): c is DeferredChannel => c !== undefined);
    const owed = known.reduce((sum, c) => sum + (c.charged - c.claimed), 0n);
    if (now() - row.createdAt > window) {
      buyers.push({
        payer: row.payer,
        channels: known.map(channelReport),
        owed,
        outcome: 'unresolved',
        carried: owed,
        charge: row.id,
        attempt: row.attempt,
        amountCents: row.amountCents,
        message: `Charge ${row.id} has had no answer for longer than Stripe keeps idempotency keys; look up the PaymentIntent with metadata x402_charge=${row.id} and record it with charges.finish before this buyer is charged again.`,
      });
      continue;
    }
    const answer = await callStripe(options.stripe, row);
    const done = await settleRow(options, now, row, answer);
    const message = 'message' in answer ? answer.message : undefined;
    buyers.push(
      rowReport(
        done,
        { payer: row.payer, channels: known.map(channelReport), owed },
        owed,
        message,
      ),
    );
  }

  // 2. Every channel of an ended period that owes something, by buyer.
  const nowSeconds = now() / 1000;
  const due = new Map<string, DeferredChannel[]>();
  for (const c of await options.ledger.redeemable({
    network: options.network,
    escrow: options.ledgerAddress,
    limit: options.limit ?? 10_000,
  })) {
    const terms = creditChannelConfigSchema.safeParse(c.config);
    if (!terms.success || terms.data.periodEnd > nowSeconds) continue;
    const payer = c.payer.toLowerCase();
    if (busy.has(payer)) continue;
    due.set(payer, [...(due.get(payer) ?? []), c]);
  }

  for (const [payer, channels] of due) {
    channels.sort((a, b) => Number(a.config['periodEnd']) - Number(b.config['periodEnd']));
    const owed = channels.reduce((sum, c) => sum + (c.charged - c.claimed), 0n);
    const base = { payer: payer as Hex, channels: channels.map(channelReport), owed };
    const account = await options.accounts.get(payer);
    if (!account) {
      buyers.push({ ...base, outcome: 'no_account', carried: owed });
      continue;
    }
    const cents = owed / MICROS_PER_CENT;
    const minimum = minimumChargeOf(account.currency) ?? 50n;
    if (cents < minimum) {
      buyers.push({ ...base, outcome: 'carried', carried: owed });
      continue;
    }
    const latest = await options.charges.latestFor(payer);
    const attempt =
      latest && (latest.state === 'declined' || latest.state === 'failed') ? latest.attempt + 1 : 1;
    const covered = allocate(channels, cents * MICROS_PER_CENT);
    const at = now();
    const draft: CreditCharge = {
      id: chargeIdOf(payer as Hex, attempt, covered),
      payer: payer as Hex,
      customer: account.customer,
      paymentMethod: account.paymentMethod,
      currency: account.currency,
      amountCents: Number(cents),
      covered,
      state: 'pending',
      attempt,
      createdAt: at,
      updatedAt: at,
    };
    // Journal first; a concurrent run wrote the same id and key, so Stripe charges once.
    await options.charges.insert(draft);
    const row = (await options.charges.get(draft.id)) ?? draft;
    let done = row;
    let message: string | undefined;
    if (row.state === 'pending') {
      const answer = await callStripe(options.stripe, row);
      done = await settleRow(options, now, row, answer);
      message = 'message' in answer ? answer.message : undefined;
    } else if (row.state === 'succeeded') {
      // Settled by a concurrent run: its claims are replayed (monotonic, harmless).
      await recordClaims(options, now, row);
    }
    buyers.push(rowReport(done, base, owed, message));
  }
  return { buyers };
}
