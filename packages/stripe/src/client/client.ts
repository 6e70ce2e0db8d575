/**
 * Client role of the Stripe card rail. It never sees card data: a credential provider (the
 * buyer's wallet, an agent platform issuing Shared Payment Tokens, a saved PaymentMethod) returns a
 * `pm_...` or `spt_...` for the requirements, and the client wraps it with a fresh payment id and
 * the terms it agrees to.
 */
import { randomBytes } from 'node:crypto';
import {
  type CreatePaymentContext,
  type NetworkPattern,
  networkMatches,
  type PaymentRequirements,
  type SchemeClient,
  X402Error,
} from '@x402-rails/core';
import { containsCardNumber } from '../luhn.js';
import { ACCOUNT_ID } from '../network.js';
import { STRIPE_SCHEME, type StripeCardPayload } from '../payload.js';

/** Returns a PaymentMethod id (`pm_...`) or Shared Payment Token (`spt_...`) for these requirements. */
export type StripeCredentialProvider = (requirements: PaymentRequirements) => Promise<string>;

export interface StripeCardClientOptions {
  credential: StripeCredentialProvider;
  /** Networks to pay on (default `stripe:*`; pass `['stripe:test']` to never pay live). */
  networks?: readonly NetworkPattern[];
}

/**
 * @example
 * const cards = createStripeCardClient({ credential: async (req) => issueSharedPaymentToken(req) });
 * const agent = createPaymentClient({ schemes: [cards] });
 */
export function createStripeCardClient(options: StripeCardClientOptions): SchemeClient {
  const patterns = options.networks ?? ['stripe:*'];
  return {
    scheme: STRIPE_SCHEME,
    networks: patterns,
    canPay(req) {
      return (
        req.scheme === STRIPE_SCHEME &&
        patterns.some((p) => networkMatches(p, req.network)) &&
        /^stripe:(test|live)$/.test(req.network) &&
        /^[a-z]{3}$/.test(req.asset) &&
        ACCOUNT_ID.test(req.payTo) &&
        /^[1-9][0-9]{0,18}$/.test(req.amount)
      );
    },
    async create({ requirements }: CreatePaymentContext) {
      if (!this.canPay?.(requirements)) {
        throw new X402Error('invalid_payment_requirements', {
          message: 'These requirements are not a Stripe card payment this client can make',
        });
      }
      const credential = await options.credential(requirements);
      const kind = /^(pm|spt)_[A-Za-z0-9_]{1,250}$/.exec(credential)?.[1];
      // A credential holding a card number would put card data on the wire: refuse it here already.
      if (!kind || containsCardNumber(credential)) {
        throw new X402Error('invalid_config', {
          message:
            'The credential provider must return a PaymentMethod (pm_...) or Shared Payment Token (spt_...)',
        });
      }
      const payload: StripeCardPayload = {
        ...(kind === 'pm' ? { paymentMethod: credential } : { sharedPaymentToken: credential }),
        paymentId: `pay_${randomBytes(16).toString('base64url')}`,
        amount: requirements.amount,
        currency: requirements.asset,
        payTo: requirements.payTo,
      };
      return { payload };
    },
  };
}
