import { X402Error } from '@x402-rails/core';
import { describe, expect, it } from 'vitest';
import { createStripeCardFacilitator } from './rail.js';

describe('createStripeCardFacilitator', () => {
  it('takes its network from the key and refuses a mismatch', () => {
    expect(
      createStripeCardFacilitator({ secretKey: 'sk_test_x', accountId: 'acct_1' }).network,
    ).toBe('stripe:test');
    expect(
      createStripeCardFacilitator({ secretKey: 'rk_live_x', accountId: 'acct_1' }).network,
    ).toBe('stripe:live');
    expect(() =>
      createStripeCardFacilitator({
        secretKey: 'sk_live_x',
        accountId: 'acct_1',
        network: 'stripe:test',
      }),
    ).toThrow(X402Error);
    expect(() =>
      createStripeCardFacilitator({
        secretKey: 'sk_test_x',
        accountId: 'acct_1',
        network: 'stripe:live',
      }),
    ).toThrow(/test-mode key/);
  });

  it('refuses keys and accounts that are not Stripe’s', () => {
    expect(() =>
      createStripeCardFacilitator({ secretKey: 'pk_test_x', accountId: 'acct_1' }),
    ).toThrow(/secret/);
    expect(() =>
      createStripeCardFacilitator({ secretKey: 'sk_test_x', accountId: 'cus_1' }),
    ).toThrow(/acct_/);
    expect(() =>
      createStripeCardFacilitator({
        secretKey: 'sk_test_x',
        accountId: 'acct_1',
        publishableKey: 'pk_live_y',
      }),
    ).toThrow(/modes/);
  });
});
