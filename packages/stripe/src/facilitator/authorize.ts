/**
 * Verify's half of the rail: check a payload against the requirements, then authorize — create
 * and confirm a manual-capture PaymentIntent under an idempotency key derived from the payment
 * id — or read the hold already placed. Replies are checked field by field: stripe 23 resolves a
 * 5xx without an `error` object as a success, so nothing without a recognised `status` counts.
 */
import { createHash } from 'node:crypto';
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import type Stripe from 'stripe';
import { minimumChargeOf, STRIPE_MAXIMUM_CHARGE } from '../minimums.js';
import type { StripeNetwork } from '../network.js';
import { parseStripeCardPayload, STRIPE_SCHEME, type StripeCardPayload } from '../payload.js';
import { StripeReason } from '../reasons.js';
import {
  classifyStripeError,
  declineMessage,
  declineReason,
  type StripeFailure,
} from './failure.js';
import type { StripeHoldStore } from './holds.js';

export interface Checked {
  payload: StripeCardPayload;
  credential: string;
  /** The payment id: `<payTo>:<client id>`. */
  key: string;
}

export type Refusal = { reason: string; message: string };

/** The payload against the requirements and this facilitator: a refusal, or what to authorize. */
export function checkPayment(
  payment: PaymentPayload,
  requirements: PaymentRequirements,
  network: StripeNetwork,
  accountId: string,
): Checked | Refusal {
  if (requirements.scheme !== STRIPE_SCHEME)
    return { reason: StripeReason.invalidScheme, message: `Not the ${STRIPE_SCHEME} scheme` };
  if (requirements.network !== network)
    return { reason: StripeReason.invalidNetwork, message: `This facilitator serves ${network}` };
  const parsed = parseStripeCardPayload(payment.payload);
  if (!parsed.ok) return { reason: StripeReason.invalidPayload, message: parsed.message };
  const { payload } = parsed;
  if (requirements.payTo !== accountId || payload.payTo !== requirements.payTo)
    return {
      reason: StripeReason.recipientMismatch,
      message: `The payment is for ${payload.payTo}; this facilitator charges for ${accountId} and the requirements name ${requirements.payTo}`,
    };
  if (payload.currency !== requirements.asset)
    return {
      reason: StripeReason.assetMismatch,
      message: `The payment is in ${payload.currency}, not ${requirements.asset}`,
    };
  if (payload.amount !== requirements.amount)
    return {
      reason: StripeReason.amountMismatch,
      message: `The payment is for ${payload.amount}, not ${requirements.amount}`,
    };
  const minimum = minimumChargeOf(payload.currency);
  if (minimum === undefined || BigInt(payload.amount) < minimum)
    return {
      reason: StripeReason.amountBelowMinimum,
      message: `Stripe cannot charge ${payload.amount} ${payload.currency}; see @x402-rails/deferred for small prices`,
    };
  if (BigInt(payload.amount) > STRIPE_MAXIMUM_CHARGE)
    return {
      reason: StripeReason.amountAboveMaximum,
      message: `Stripe cannot charge more than ${STRIPE_MAXIMUM_CHARGE} minor units at once`,
    };
  return { payload, credential: parsed.credential, key: `${payload.payTo}:${payload.paymentId}` };
}

export function isRefusal(value: Checked | Refusal): value is Refusal {
  return 'reason' in value;
}

/** Stripe's idempotency keys are per account: the network and payment id name one authorization. */
export function authorizationKey(network: StripeNetwork, key: string): string {
  return `x402-authorize-${createHash('sha256').update(`${network}|${key}`).digest('hex').slice(0, 48)}`;
}

const STATUSES = new Set([
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
]);

/** A reply that really is a PaymentIntent, or undefined (the 5xx-without-error pitfall and its kin). */
export function asPaymentIntent(value: unknown): Stripe.PaymentIntent | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const pi = value as Partial<Stripe.PaymentIntent>;
  if (pi.object !== 'payment_intent' || typeof pi.id !== 'string' || !pi.id.startsWith('pi_'))
    return undefined;
  if (typeof pi.status !== 'string' || !STATUSES.has(pi.status)) return undefined;
  if (typeof pi.amount !== 'number' || typeof pi.currency !== 'string') return undefined;
  return pi as Stripe.PaymentIntent;
}

export type Authorization =
  | { ok: true; paymentIntent: Stripe.PaymentIntent }
  | { ok: false; failure: StripeFailure };

const unknownReply = (unexpected: string, what: string): Authorization => ({
  ok: false,
  failure: {
    reason: unexpected,
    message: `Stripe answered ${what} with something that is not a PaymentIntent; its state is unknown`,
    retryable: true,
  },
});

export async function retrievePaymentIntent(
  stripe: Stripe,
  id: string,
  unexpected: string,
): Promise<Authorization> {
  try {
    const pi = asPaymentIntent(await stripe.paymentIntents.retrieve(id));
    return pi ? { ok: true, paymentIntent: pi } : unknownReply(unexpected, 'a retrieve');
  } catch (error) {
    return { ok: false, failure: classifyStripeError(error, unexpected) };
  }
}

/** The hold for this payment: the one on record, or a new authorization (idempotent). */
export async function authorize(
  stripe: Stripe,
  holds: StripeHoldStore,
  checked: Checked,
  requirements: PaymentRequirements,
  network: StripeNetwork,
  now: number,
  unexpected: string,
): Promise<Authorization> {
  const { payload } = checked;
  const terms = createHash('sha256')
    .update(`${checked.credential}|${payload.amount}|${payload.currency}`)
    .digest('hex');
  const known = await holds.get(checked.key);
  if (known && known.terms !== terms) {
    return {
      ok: false,
      failure: {
        reason: StripeReason.paymentIdConflict,
        message: 'This payment id was already authorized with other terms',
        retryable: false,
      },
    };
  }
  if (known) return retrievePaymentIntent(stripe, known.paymentIntent, unexpected);
  const params = {
    amount: Number(payload.amount),
    currency: payload.currency,
    ...(payload.paymentMethod
      ? { payment_method: payload.paymentMethod }
      : { shared_payment_granted_token: payload.sharedPaymentToken }),
    allowed_payment_method_types: ['card'],
    capture_method: 'manual',
    confirm: true,
    error_on_requires_action: true,
    metadata: { x402_payment_id: payload.paymentId },
  } as Stripe.PaymentIntentCreateParams;
  let created: Stripe.Response<Stripe.PaymentIntent>;
  try {
    created = await stripe.paymentIntents.create(params, {
      idempotencyKey: authorizationKey(network, checked.key),
    });
  } catch (error) {
    return { ok: false, failure: classifyStripeError(error, unexpected) };
  }
  let pi = asPaymentIntent(created);
  if (!pi) return unknownReply(unexpected, 'the authorization');
  // A replay is the first reply, not the present: read the present.
  if (created.lastResponse?.headers?.['idempotent-replayed'] === 'true') {
    const fresh = await retrievePaymentIntent(stripe, pi.id, unexpected);
    if (!fresh.ok) return fresh;
    pi = fresh.paymentIntent;
  }
  if (pi.status === 'requires_capture') {
    await holds.put({
      key: checked.key,
      paymentIntent: pi.id,
      terms,
      amount: payload.amount,
      currency: payload.currency,
      placedAt: now,
      expiresAt: now + requirements.maxTimeoutSeconds * 1000,
      state: 'open',
    });
  }
  return { ok: true, paymentIntent: pi };
}

/** Whether a PaymentIntent is a usable hold for exactly this payment, and if not, why. */
export function judgeHold(pi: Stripe.PaymentIntent, checked: Checked): Refusal | undefined {
  switch (pi.status) {
    case 'requires_capture':
      break;
    case 'succeeded':
      return {
        reason: StripeReason.alreadyUsed,
        message: `PaymentIntent ${pi.id} was already captured`,
      };
    case 'canceled':
      return {
        reason: StripeReason.authorizationCanceled,
        message: `The authorization ${pi.id} was voided (${pi.cancellation_reason ?? 'canceled'})`,
      };
    case 'requires_action':
      return {
        reason: StripeReason.authenticationRequired,
        message: 'The card requires authentication (3-D Secure)',
      };
    case 'requires_payment_method': {
      const last = pi.last_payment_error;
      if (last)
        return {
          reason: declineReason(last.code, last.decline_code),
          message: declineMessage(last.message, last.code, last.decline_code),
        };
      return {
        reason: StripeReason.unexpectedState,
        message: `PaymentIntent ${pi.id} has no payment method`,
      };
    }
    default:
      return {
        reason: StripeReason.unexpectedState,
        message: `PaymentIntent ${pi.id} is ${pi.status}`,
      };
  }
  if (
    String(pi.amount) !== checked.payload.amount ||
    pi.currency !== checked.payload.currency ||
    pi.amount_capturable !== pi.amount
  ) {
    return {
      reason: StripeReason.amountMismatch,
      message: `PaymentIntent ${pi.id} holds ${pi.amount_capturable} ${pi.currency}, not ${checked.payload.amount} ${checked.payload.currency}`,
    };
  }
  return undefined;
}
