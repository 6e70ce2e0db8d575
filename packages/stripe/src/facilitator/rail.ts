/**
 * Facilitator role of the Stripe card rail. verify = authorize (a manual-capture PaymentIntent,
 * valid only in `requires_capture`); settle = capture; release = cancel; plus refund, status for
 * crash reconciliation, and a sweeper voiding holds past their requirements' timeout.
 */
import {
  ConfigError,
  failedSettlement,
  type PaymentPayload,
  type PaymentRequirements,
  type SettleResponse,
  type VerifyResponse,
  X402Error,
} from '@x402-rails/core';
import type Stripe from 'stripe';
import { createStripeApi } from '../api.js';
import { ACCOUNT_ID, resolveNetwork } from '../network.js';
import { parseStripeCardPayload, STRIPE_SCHEME } from '../payload.js';
import { stripePaymentId } from '../payment-id.js';
import { StripeReason } from '../reasons.js';
import {
  type Authorization,
  asPaymentIntent,
  authorize,
  type Checked,
  checkPayment,
  isRefusal,
  judgeHold,
  retrievePaymentIntent,
} from './authorize.js';
import { classifyStripeError } from './failure.js';
import { createMemoryHoldStore, type StripeHold } from './holds.js';
import type {
  StripeCardFacilitator,
  StripeCardFacilitatorOptions,
  StripeRefund,
  SweepResult,
} from './options.js';

const VERIFY = StripeReason.unexpectedVerifyError;
const SETTLE = StripeReason.unexpectedSettleError;

/**
 * @example
 * const cards = createStripeCardFacilitator({ secretKey: process.env.STRIPE_SECRET_KEY, accountId: 'acct_...' });
 * const facilitator = createFacilitator({ schemes: [cards] });
 */
export function createStripeCardFacilitator(
  options: StripeCardFacilitatorOptions,
): StripeCardFacilitator {
  if (!/^(sk|rk)_(test|live)_/.test(options.secretKey))
    throw new ConfigError(
      'secretKey must be a Stripe secret or restricted key (sk_test_..., sk_live_...)',
    );
  const network = resolveNetwork(options.secretKey, options.network);
  if (!ACCOUNT_ID.test(options.accountId))
    throw new ConfigError(`accountId ${options.accountId} is not a Stripe account id (acct_...)`);
  if (options.publishableKey !== undefined && resolveNetwork(options.publishableKey) !== network)
    throw new ConfigError('The publishable key and the secret key are of different modes');
  const { accountId } = options;
  const stripe: Stripe = createStripeApi(options.secretKey, options.connection);
  const holds = options.holds ?? createMemoryHoldStore();
  const now = options.now ?? Date.now;

  const failure = failedSettlement;

  /**
   * Concurrent calls for one payment share one authorization request: Stripe answers a second
   * request with a key still in flight with a 409, which would fail calls that could succeed.
   */
  const inFlight = new Map<string, Promise<Authorization>>();
  async function authorizeOnce(
    checked: Checked,
    requirements: PaymentRequirements,
    unexpected: string,
  ): Promise<Authorization> {
    const { key, credential, payload } = checked;
    const flightKey = `${key}|${credential}|${payload.amount}|${payload.currency}`;
    let running = inFlight.get(flightKey);
    if (!running) {
      running = authorize(stripe, holds, checked, requirements, network, now(), VERIFY).finally(
        () => inFlight.delete(flightKey),
      );
      inFlight.set(flightKey, running);
    }
    const held = await running;
    // The shared request names its failures for verify; a settle reports them as its own.
    if (!held.ok && held.failure.reason === VERIFY && unexpected !== VERIFY)
      return { ok: false, failure: { ...held.failure, reason: unexpected } };
    return held;
  }

  async function closeHold(key: string, state: StripeHold['state']): Promise<void> {
    const hold = await holds.get(key);
    if (hold && hold.state !== state) await holds.put({ ...hold, state });
  }

  /** Cancels one hold; `closed` when Stripe says it is no longer open (captured or voided). */
  async function cancelHold(hold: StripeHold): Promise<'canceled' | 'closed'> {
    try {
      const reply = asPaymentIntent(
        await stripe.paymentIntents.cancel(hold.paymentIntent, {
          cancellation_reason: 'abandoned',
        }),
      );
      if (reply?.status === 'canceled') {
        await closeHold(hold.key, 'canceled');
        return 'canceled';
      }
    } catch (error) {
      const failed = classifyStripeError(error, VERIFY);
      if (failed.retryable)
        throw new X402Error(failed.reason, { message: failed.message, cause: error });
    }
    // Not (visibly) canceled by this call: the present state decides.
    const present = await retrievePaymentIntent(stripe, hold.paymentIntent, VERIFY);
    if (!present.ok)
      throw new X402Error(present.failure.reason, { message: present.failure.message });
    const { status } = present.paymentIntent;
    if (status === 'canceled') {
      await closeHold(hold.key, 'canceled');
      return 'closed';
    }
    if (status === 'succeeded') {
      await closeHold(hold.key, 'captured');
      return 'closed';
    }
    throw new X402Error(StripeReason.unexpectedState, {
      message: `PaymentIntent ${hold.paymentIntent} could not be canceled from ${status}`,
    });
  }

  const rail: StripeCardFacilitator = {
    scheme: STRIPE_SCHEME,
    networks: [network],
    network,
    paymentId: stripePaymentId,

    async verify(
      payment: PaymentPayload,
      requirements: PaymentRequirements,
    ): Promise<VerifyResponse> {
      const checked = checkPayment(payment, requirements, network, accountId);
      if (isRefusal(checked))
        return { isValid: false, invalidReason: checked.reason, invalidMessage: checked.message };
      const held = await authorizeOnce(checked, requirements, VERIFY);
      if (!held.ok)
        return {
          isValid: false,
          invalidReason: held.failure.reason,
          invalidMessage: held.failure.message,
        };
      const refused = judgeHold(held.paymentIntent, checked);
      if (refused)
        return { isValid: false, invalidReason: refused.reason, invalidMessage: refused.message };
      const payer = held.paymentIntent.payment_method;
      return { isValid: true, ...(typeof payer === 'string' ? { payer } : {}) };
    },

    async settle(
      payment: PaymentPayload,
      requirements: PaymentRequirements,
    ): Promise<SettleResponse> {
      const checked = checkPayment(payment, requirements, network, accountId);
      if (isRefusal(checked)) return failure(requirements, checked.reason, checked.message);
      const held = await authorizeOnce(checked, requirements, SETTLE);
      // Nothing was captured yet, whatever went wrong: a known outcome, reported, not thrown
      // (a retryable failure keeps its unexpected_settle_error reason).
      if (!held.ok) return failure(requirements, held.failure.reason, held.failure.message);
      const pi = held.paymentIntent;
      const refused = judgeHold(pi, checked);
      if (refused) return failure(requirements, refused.reason, refused.message);
      // No idempotency key of ours on capture: a second capture must fail (once only), not replay
      // the first success. The SDK's own key covers its retries of this one call.
      let reply: unknown;
      try {
        reply = await stripe.paymentIntents.capture(pi.id);
      } catch (error) {
        const failed = classifyStripeError(error, SETTLE);
        if (failed.retryable)
          throw new X402Error(SETTLE, {
            message: failed.message,
            details: { transaction: pi.id },
            cause: error,
          });
        const present = await retrievePaymentIntent(stripe, pi.id, SETTLE);
        if (present.ok) {
          const again = judgeHold(present.paymentIntent, checked);
          if (again?.reason === StripeReason.alreadyUsed) await closeHold(checked.key, 'captured');
          if (again) return failure(requirements, again.reason, again.message);
        }
        return failure(requirements, failed.reason, failed.message);
      }
      const captured = asPaymentIntent(reply);
      if (
        captured?.status !== 'succeeded' ||
        String(captured.amount_received) !== checked.payload.amount
      ) {
        // Unknown outcome (e.g. a 5xx without an error object): the journal reconciles by status().
        throw new X402Error(SETTLE, {
          message: `Stripe's answer to the capture of ${pi.id} is not a captured PaymentIntent`,
          details: { transaction: pi.id },
        });
      }
      await closeHold(checked.key, 'captured');
      const payer = captured.payment_method;
      return {
        success: true,
        transaction: captured.id,
        network,
        amount: String(captured.amount_received),
        ...(typeof payer === 'string' ? { payer } : {}),
      };
    },

    async release(payment: PaymentPayload): Promise<void> {
      const parsed = parseStripeCardPayload(payment.payload);
      if (!parsed.ok) return;
      const hold = await holds.get(`${parsed.payload.payTo}:${parsed.payload.paymentId}`);
      if (!hold || hold.state === 'canceled') return;
      if (hold.state === 'captured')
        throw new X402Error(StripeReason.alreadyUsed, {
          message: `PaymentIntent ${hold.paymentIntent} was captured; refund it instead`,
        });
      await cancelHold(hold);
    },

    async status(payment: PaymentPayload, requirements: PaymentRequirements) {
      const parsed = parseStripeCardPayload(payment.payload);
      if (!parsed.ok) return { state: 'not_found' as const };
      const hold = await holds.get(`${parsed.payload.payTo}:${parsed.payload.paymentId}`);
      if (!hold) return { state: 'not_found' as const };
      const present = await retrievePaymentIntent(stripe, hold.paymentIntent, SETTLE);
      if (!present.ok)
        throw new X402Error(present.failure.reason, { message: present.failure.message });
      const pi = present.paymentIntent;
      if (pi.status === 'processing') return { state: 'pending' as const };
      // Not captured (still held, or voided): nothing was charged, so settling again is safe.
      if (pi.status !== 'succeeded') return { state: 'not_found' as const };
      await closeHold(hold.key, 'captured');
      const payer = pi.payment_method;
      return {
        state: 'settled' as const,
        settlement: {
          success: true,
          transaction: pi.id,
          network: requirements.network,
          amount: String(pi.amount_received),
          ...(typeof payer === 'string' ? { payer } : {}),
        },
      };
    },

    async refund(request): Promise<StripeRefund> {
      if (!/^pi_[A-Za-z0-9_]+$/.test(request.transaction))
        throw new X402Error('invalid_payload', {
          message: 'transaction must be a PaymentIntent id (pi_...)',
        });
      const amount = request.amount === undefined ? undefined : BigInt(request.amount);
      if (amount !== undefined && amount <= 0n)
        throw new X402Error('invalid_amount', { message: 'A refund amount must be above zero' });
      try {
        const refund = await stripe.refunds.create(
          {
            payment_intent: request.transaction,
            ...(amount !== undefined ? { amount: Number(amount) } : {}),
            ...(request.reason ? { reason: request.reason } : {}),
          },
          request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {},
        );
        if (
          refund?.object !== 'refund' ||
          typeof refund.id !== 'string' ||
          typeof refund.status !== 'string'
        )
          throw new X402Error('unexpected_settle_error', {
            message: 'Stripe did not answer with a refund',
          });
        return {
          id: refund.id,
          amount: String(refund.amount),
          currency: refund.currency,
          status: refund.status,
        };
      } catch (error) {
        if (error instanceof X402Error) throw error;
        const failed = classifyStripeError(error, SETTLE);
        throw new X402Error(failed.reason, {
          message: failed.message,
          cause: error,
          details: { retryable: failed.retryable },
        });
      }
    },

    async sweep(limit = 100): Promise<SweepResult> {
      const result: SweepResult = { canceled: 0, closed: 0, failed: 0 };
      for (const hold of await holds.expired(now(), limit)) {
        try {
          result[await cancelHold(hold)]++;
        } catch {
          result.failed++;
        }
      }
      return result;
    },

    startSweeper(intervalMs, onError) {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        rail
          .sweep()
          .catch((error: unknown) => onError?.(error))
          .finally(() => {
            running = false;
          });
      }, intervalMs);
      timer.unref?.();
      return () => clearInterval(timer);
    },

    supportedNetworks: () => [network],
    supportedExtra: () =>
      options.publishableKey ? { publishableKey: options.publishableKey } : undefined,
  };
  return rail;
}
