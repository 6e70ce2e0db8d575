/**
 * The payload of the Stripe card rail: a payment credential made on the buyer's side (a
 * PaymentMethod `pm_...` or a Shared Payment Token `spt_...`, exactly one), the client's payment
 * id, and the terms the buyer agreed to (amount, currency, payTo), which a PaymentMethod id alone
 * does not carry. Never card data: anything that looks like a card number is refused.
 */
import { z } from 'zod';
import { containsCardNumber } from './luhn.js';

export const STRIPE_SCHEME = 'shared-payment-token';

const STRIPE_ID = /^[A-Za-z0-9_]{1,255}$/;

export const StripeCardPayloadSchema = z
  .object({
    /** A PaymentMethod of the seller's Stripe account (`pm_...`). */
    paymentMethod: z
      .string()
      .regex(/^pm_/, 'must be a PaymentMethod id (pm_...)')
      .regex(STRIPE_ID, 'is not a Stripe id')
      .optional(),
    /** A Shared Payment Token granted to the seller (`spt_...`). */
    sharedPaymentToken: z
      .string()
      .regex(/^spt_/, 'must be a Shared Payment Token (spt_...)')
      .regex(STRIPE_ID, 'is not a Stripe id')
      .optional(),
    /** Client-chosen, unique per payment: the key of its once-only use (and Stripe idempotency). */
    paymentId: z
      .string()
      .min(16)
      .max(128)
      .regex(/^[A-Za-z0-9_-]+$/, 'must be 16–128 characters of [A-Za-z0-9_-]'),
    amount: z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be a positive integer in minor units'),
    currency: z.string().regex(/^[a-z]{3}$/, 'must be a lowercase ISO 4217 code'),
    payTo: z.string().regex(/^acct_[A-Za-z0-9]{1,64}$/, 'must be a Stripe account id'),
  })
  .strict()
  .refine((p) => (p.paymentMethod === undefined) !== (p.sharedPaymentToken === undefined), {
    message: 'exactly one of paymentMethod and sharedPaymentToken is required',
  });

export type StripeCardPayload = z.infer<typeof StripeCardPayloadSchema>;

export type ParsedStripePayload =
  | { ok: true; payload: StripeCardPayload; credential: string }
  | { ok: false; message: string };

/** Validates an untrusted payload body; never throws. */
export function parseStripeCardPayload(body: unknown): ParsedStripePayload {
  if (containsCardNumber(body)) {
    return {
      ok: false,
      message:
        'The payload contains what looks like a card number: raw card data is never accepted',
    };
  }
  const parsed = StripeCardPayloadSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message: `Not a Stripe card payload: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`,
    };
  }
  const payload = parsed.data;
  return {
    ok: true,
    payload,
    credential: (payload.paymentMethod ?? payload.sharedPaymentToken) as string,
  };
}
