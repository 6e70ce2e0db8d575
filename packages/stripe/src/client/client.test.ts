import type { PaymentRequirements } from '@x402-rails/core';
import { startStripeDouble } from '@x402-rails/testkit/stripe';
import { describe, expect, it } from 'vitest';
import { createStripeCardClient } from './client.js';
import { testCardCredential } from './test-card.js';

const requirements: PaymentRequirements = {
  scheme: 'shared-payment-token',
  network: 'stripe:test',
  amount: '50',
  asset: 'usd',
  payTo: 'acct_1',
  maxTimeoutSeconds: 60,
  extra: { publishableKey: 'pk_test_x', minimumAmount: '50' },
};
const resource = { url: 'http://127.0.0.1/x' };

describe('createStripeCardClient', () => {
  it('wraps the credential with a fresh payment id and the agreed terms', async () => {
    const client = createStripeCardClient({ credential: async () => 'spt_abc' });
    const a = await client.create({ requirements, resource });
    const b = await client.create({ requirements, resource });
    expect(a.payload).toMatchObject({
      sharedPaymentToken: 'spt_abc',
      amount: '50',
      currency: 'usd',
      payTo: 'acct_1',
    });
    expect(a.payload['paymentId']).toMatch(/^pay_[A-Za-z0-9_-]{22}$/);
    expect(a.payload['paymentId']).not.toBe(b.payload['paymentId']);
  });

  it('pays only Stripe card requirements on its networks', () => {
    const client = createStripeCardClient({
      credential: async () => 'pm_x',
      networks: ['stripe:test'],
    });
    expect(client.canPay?.(requirements)).toBe(true);
    expect(client.canPay?.({ ...requirements, network: 'stripe:live' })).toBe(false);
    expect(client.canPay?.({ ...requirements, scheme: 'exact' })).toBe(false);
    expect(client.canPay?.({ ...requirements, payTo: '0xabc' })).toBe(false);
    expect(client.canPay?.({ ...requirements, asset: 'USD' })).toBe(false);
  });

  it('refuses a credential that is not pm_ or spt_ (raw card data included)', async () => {
    for (const bad of ['4242424242424242', 'pm_4242424242424242', 'tok_visa', 'pm_', '']) {
      const client = createStripeCardClient({ credential: async () => bad });
      await expect(client.create({ requirements, resource })).rejects.toMatchObject({
        code: 'invalid_config',
      });
    }
  });
});

describe('testCardCredential', () => {
  it('makes a PaymentMethod with the publishable key from extra, in test mode only', async () => {
    const double = await startStripeDouble();
    try {
      const credential = testCardCredential({
        token: 'tok_mastercard',
        connection: { ...double.connection, maxNetworkRetries: 0 },
      });
      const req = {
        ...requirements,
        payTo: double.account.id,
        extra: { publishableKey: double.account.publishableKey },
      };
      const pm = await credential(req);
      expect(pm).toMatch(/^pm_/);
      expect(double.bank.paymentMethods.get(pm)?.card.brand).toBe('mastercard');
      await expect(credential({ ...req, network: 'stripe:live' })).rejects.toMatchObject({
        code: 'invalid_config',
      });
      await expect(credential({ ...req, extra: {} })).rejects.toMatchObject({
        code: 'invalid_config',
      });
      double.fail({ status: 502, body: {} });
      await expect(credential(req)).rejects.toMatchObject({ code: 'unexpected_verify_error' });
    } finally {
      await double.close();
    }
  });
});
