import { type PaymentRequirements, X402Error } from '@x402-rails/core';
import { describe, expect, it } from 'vitest';
import { createStripeCardServer } from './server.js';

const request = new Request('http://127.0.0.1/x');
const server = createStripeCardServer({ publishableKey: 'pk_test_abc' });
const requirements = (price: {
  money?: string | number;
  atomic?: { amount: string; asset: string };
}) =>
  server.requirements({
    scheme: 'shared-payment-token',
    network: 'stripe:test',
    price,
    payTo: 'acct_123',
    maxTimeoutSeconds: 60,
    request,
  }) as PaymentRequirements;

describe('Stripe card server', () => {
  it('prices in minor units with the publishable key and minimum in extra', () => {
    expect(requirements({ money: '$0.50' })).toEqual({
      scheme: 'shared-payment-token',
      network: 'stripe:test',
      amount: '50',
      asset: 'usd',
      payTo: 'acct_123',
      maxTimeoutSeconds: 60,
      extra: { publishableKey: 'pk_test_abc', minimumAmount: '50' },
    });
    expect(requirements({ atomic: { amount: '50', asset: 'JPY' } })).toMatchObject({
      amount: '50',
      asset: 'jpy',
    });
    expect(requirements({ atomic: { amount: '30', asset: 'gbp' } })).toMatchObject({
      amount: '30',
      asset: 'gbp',
    });
    expect(server.holdsFunds).toBe(true);
  });

  it.each([
    [{ money: '$0.49' }],
    [{ money: '0.01' }],
    [{ atomic: { amount: '29', asset: 'gbp' } }],
    [{ atomic: { amount: '49', asset: 'jpy' } }],
    [{ atomic: { amount: '49', asset: 'eur' } }],
  ])('refuses %j below Stripe’s minimum, pointing to the deferred rail', (price) => {
    try {
      requirements(price);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(X402Error);
      expect((error as X402Error).code).toBe('invalid_config');
      expect((error as X402Error).message).toContain('@x402-rails/deferred');
    }
  });

  it('refuses a price above Stripe’s largest charge', () => {
    expect(() => requirements({ atomic: { amount: '100000000', asset: 'usd' } })).toThrow(
      /largest/,
    );
    expect(requirements({ atomic: { amount: '99999999', asset: 'usd' } }).amount).toBe('99999999');
  });

  it('refuses other networks, payTo that is not an account, unknown currencies', () => {
    expect(() =>
      server.requirements({
        scheme: 'shared-payment-token',
        network: 'stripe:live',
        price: { money: 1 },
        payTo: 'acct_1',
        maxTimeoutSeconds: 60,
        request,
      }),
    ).toThrow(/stripe:test/);
    expect(() =>
      server.requirements({
        scheme: 'shared-payment-token',
        network: 'stripe:test',
        price: { money: 1 },
        payTo: '0xabc',
        maxTimeoutSeconds: 60,
        request,
      }),
    ).toThrow(/acct_/);
    expect(() => requirements({ atomic: { amount: '5000', asset: 'xyz' } })).toThrow(/xyz/);
  });

  it('checks the key mode against the network at construction', () => {
    expect(() =>
      createStripeCardServer({ publishableKey: 'pk_live_abc', network: 'stripe:test' }),
    ).toThrow(X402Error);
    expect(() => createStripeCardServer({ publishableKey: 'sk_test_abc' })).toThrow(/publishable/);
    expect(createStripeCardServer({ publishableKey: 'pk_live_abc' }).networks).toEqual([
      'stripe:live',
    ]);
  });

  it('describes amounts for people', () => {
    const req = requirements({ money: '$1.25' });
    expect(server.describe?.(req)).toEqual({
      amount: '1.25',
      symbol: 'USD',
      networkName: 'Stripe (test mode)',
    });
  });
});
