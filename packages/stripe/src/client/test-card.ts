/**
 * Test mode only: a credential provider that makes a fresh PaymentMethod from one of Stripe's test
 * card tokens (`tok_visa`, `tok_chargeDeclined`, ...) with the seller's publishable key from
 * `extra.publishableKey`, through the `stripe` SDK — what Stripe.js does in a browser.
 */
import { X402Error } from '@x402-rails/core';
import { createStripeApi, type StripeConnection } from '../api.js';
import type { StripeCredentialProvider } from './client.js';

export interface TestCardCredentialOptions {
  /** A Stripe test token (default `tok_visa`). */
  token?: string;
  /** Where Stripe is (tests: the double's `connection`). */
  connection?: StripeConnection;
}

/**
 * @example
 * const cards = createStripeCardClient({ credential: testCardCredential({ token: 'tok_visa' }) });
 */
export function testCardCredential(
  options: TestCardCredentialOptions = {},
): StripeCredentialProvider {
  const token = options.token ?? 'tok_visa';
  if (!token.startsWith('tok_'))
    throw new X402Error('invalid_config', {
      message: 'token must be a Stripe test token (tok_...)',
    });
  return async (requirements) => {
    const key = requirements.extra?.['publishableKey'];
    if (
      requirements.network !== 'stripe:test' ||
      typeof key !== 'string' ||
      !key.startsWith('pk_test_')
    ) {
      throw new X402Error('invalid_config', {
        message: 'Test cards pay only stripe:test requirements with a pk_test_ publishable key',
      });
    }
    const stripe = createStripeApi(key, options.connection);
    const pm: unknown = await stripe.paymentMethods.create({ type: 'card', card: { token } });
    // stripe 23 resolves a 5xx without an `error` object as a success: check what came back.
    const id = (pm as { object?: unknown; id?: unknown } | null)?.id;
    if ((pm as { object?: unknown } | null)?.object !== 'payment_method' || typeof id !== 'string')
      throw new X402Error('unexpected_verify_error', {
        message: 'Stripe did not answer with a PaymentMethod',
      });
    return id;
  };
}
