/** The payment id of a Stripe card payload: `<payTo>:<client payment id>`. */
import { PayloadDecodeError, type PaymentPayload } from '@x402-rails/core';
import { parseStripeCardPayload } from './payload.js';

/**
 * Stripe idempotency keys are scoped per account, so the account and the client's id name one
 * payment; it is also what the facilitator derives its idempotency key from.
 */
export function stripePaymentId(payment: PaymentPayload): string {
  const parsed = parseStripeCardPayload(payment.payload);
  if (!parsed.ok) throw new PayloadDecodeError('invalid_payload', { message: parsed.message });
  return `${parsed.payload.payTo}:${parsed.payload.paymentId}`;
}
