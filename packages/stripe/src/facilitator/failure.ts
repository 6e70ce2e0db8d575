/**
 * What a Stripe error means for an x402 payment: a reason, a message, and whether trying again
 * later can help (5xx, 429, connection errors, a concurrent request with the same key). A retryable
 * failure is never a valid payment and never a final refusal.
 */
import Stripe from 'stripe';
import { StripeReason } from '../reasons.js';

export interface StripeFailure {
  reason: string;
  message: string;
  retryable: boolean;
  /** Stripe's `decline_code` for card declines. */
  declineCode?: string;
  /** The PaymentIntent the error names, if any. */
  paymentIntent?: string;
}

const TOKEN_CODES: Readonly<Record<string, string>> = {
  shared_payment_granted_token_expired: StripeReason.tokenExpired,
  shared_payment_granted_token_deactivated: StripeReason.tokenUsed,
  shared_payment_granted_token_usage_limits_exceeded: StripeReason.tokenLimits,
};

/** A card decline (as error or as a PaymentIntent's `last_payment_error`) as a reason. */
export function declineReason(code: string | undefined, declineCode: string | undefined): string {
  if (code === 'authentication_required' || declineCode === 'authentication_required')
    return StripeReason.authenticationRequired;
  if (declineCode === 'insufficient_funds') return StripeReason.insufficientFunds;
  return StripeReason.cardDeclined;
}

export function declineMessage(
  message: string | undefined,
  code?: string,
  declineCode?: string,
): string {
  const codes = [code && `code ${code}`, declineCode && `decline_code ${declineCode}`]
    .filter(Boolean)
    .join(', ');
  return `${message ?? 'The card was declined.'}${codes ? ` (${codes})` : ''}`;
}

export function classifyStripeError(error: unknown, unexpected: string): StripeFailure {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return {
      reason: unexpected,
      message: `Stripe could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      retryable: true,
    };
  }
  const paymentIntent = error.payment_intent?.id;
  const base = { ...(paymentIntent ? { paymentIntent } : {}) };
  if (error instanceof Stripe.errors.StripeCardError) {
    const declineCode = error.decline_code;
    return {
      ...base,
      reason: declineReason(error.code, declineCode),
      message: declineMessage(error.message, error.code, declineCode),
      retryable: false,
      ...(declineCode ? { declineCode } : {}),
    };
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    // 409 "in use": a concurrent request with this key is still running — try again later.
    if (error.statusCode === 409 || error.code === 'idempotency_key_in_use')
      return { ...base, reason: unexpected, message: error.message, retryable: true };
    return {
      ...base,
      reason: StripeReason.paymentIdConflict,
      message: `This payment id was already used with other terms: ${error.message}`,
      retryable: false,
    };
  }
  if (
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeConnectionError ||
    (error.statusCode ?? 500) >= 500 ||
    error.statusCode === 429 ||
    error.statusCode === 409
  ) {
    return { ...base, reason: unexpected, message: `Stripe: ${error.message}`, retryable: true };
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    const code = error.code ?? '';
    const token = TOKEN_CODES[code];
    if (token) return { ...base, reason: token, message: error.message, retryable: false };
    if (
      code === 'resource_missing' &&
      (error.param === 'payment_method' || error.param === 'shared_payment_granted_token')
    ) {
      return {
        ...base,
        reason: StripeReason.credentialNotFound,
        message: error.message,
        retryable: false,
      };
    }
    if (code === 'amount_too_small')
      return {
        ...base,
        reason: StripeReason.amountBelowMinimum,
        message: error.message,
        retryable: false,
      };
    if (code === 'payment_intent_unexpected_state')
      return {
        ...base,
        reason: StripeReason.unexpectedState,
        message: error.message,
        retryable: false,
      };
  }
  // Authentication, permission and other request errors: this facilitator's configuration or a
  // bug, not the buyer's doing; not retryable as is.
  return { ...base, reason: unexpected, message: `Stripe: ${error.message}`, retryable: false };
}
