/**
 * The stripe rail end to end: the local Stripe double, the real CLI configured for it (the secret
 * key only in an environment variable), and card payments verified, settled and released over HTTP.
 */
import { readFile } from 'node:fs/promises';
import type { PaymentRequirements } from '@x402-rails/core';
import { createStripeCardClient } from '@x402-rails/stripe/client';
import { type StripeDouble, startStripeDouble } from '@x402-rails/testkit/stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, runFacilitator, startFacilitator, tempDir, writeConfig } from './helpers.js';
import { AUTH, post, TOKEN } from './payments.js';

afterEach(cleanUp);

let double: StripeDouble;
beforeAll(async () => {
  double = await startStripeDouble();
});
afterAll(async () => {
  await double?.close();
});

function stripeConfig(extra: Record<string, unknown> = {}) {
  return {
    listen: { port: 0 },
    auth: { bearerTokenEnv: 'FACILITATOR_TOKEN' },
    store: { driver: 'memory' },
    rails: [
      {
        type: 'stripe',
        network: 'stripe:test',
        secretKeyEnv: 'STRIPE_SECRET_KEY',
        accountId: double.account.id,
        publishableKey: double.account.publishableKey,
        apiUrl: double.url,
        maxNetworkRetries: 0,
        ...extra,
      },
    ],
  };
}

async function paymentBody(credential: string, requirements: PaymentRequirements) {
  const { payload } = await createStripeCardClient({ credential: async () => credential }).create({
    requirements,
    resource: { url: 'http://127.0.0.1/paid' },
  });
  return {
    x402Version: 2,
    paymentPayload: { x402Version: 2, accepted: requirements, payload },
    paymentRequirements: requirements,
  };
}

describe('the stripe rail over HTTP', () => {
  it('authorizes on /verify, captures on /settle, voids on /release; the key stays secret', async () => {
    const dir = await tempDir();
    const configFile = await writeConfig(dir, stripeConfig());
    expect(await readFile(configFile, 'utf8')).not.toContain(double.account.secretKey);
    const service = await startFacilitator(configFile, {
      FACILITATOR_TOKEN: TOKEN,
      STRIPE_SECRET_KEY: double.account.secretKey,
    });

    const supported = await fetch(`${service.url}/supported`, { headers: AUTH });
    expect(await supported.json()).toMatchObject({
      kinds: [
        {
          x402Version: 2,
          scheme: 'shared-payment-token',
          network: 'stripe:test',
          extra: { publishableKey: double.account.publishableKey },
        },
      ],
    });

    const requirements: PaymentRequirements = {
      scheme: 'shared-payment-token',
      network: 'stripe:test',
      amount: '250',
      asset: 'usd',
      payTo: double.account.id,
      maxTimeoutSeconds: 60,
    };
    const merchant = () => double.balanceOf(double.account.id);
    const before = merchant();

    const body = await paymentBody('pm_card_visa', requirements);
    expect((await post(service.url, '/verify', body)).json).toMatchObject({ isValid: true });
    expect(merchant()).toBe(before);
    const settled = await post(service.url, '/settle', body);
    expect(settled.json).toMatchObject({ success: true, network: 'stripe:test', amount: '250' });
    expect(String(settled.json['transaction'])).toMatch(/^pi_/);
    expect(merchant()).toBe(before + 250);
    // A retry gets the journal's first result; the money moved once.
    expect((await post(service.url, '/settle', body)).json).toEqual(settled.json);
    expect(merchant()).toBe(before + 250);

    const released = await paymentBody('pm_card_visa', requirements);
    expect((await post(service.url, '/verify', released)).json).toMatchObject({ isValid: true });
    expect((await post(service.url, '/release', released)).json).toEqual({ released: true });
    expect((await post(service.url, '/settle', released)).json).toMatchObject({
      success: false,
      errorReason: 'card_authorization_canceled',
    });

    const declined = await paymentBody(
      'pm_card_visa_chargeDeclinedInsufficientFunds',
      requirements,
    );
    expect((await post(service.url, '/verify', declined)).json).toMatchObject({
      isValid: false,
      invalidReason: 'insufficient_funds',
    });
    expect(merchant()).toBe(before + 250);

    expect(JSON.stringify(service.logs)).not.toContain(double.account.secretKey);
    expect(service.logs).toContainEqual(
      expect.objectContaining({ msg: 'stripe facilitator', account: double.account.id }),
    );
    expect(await service.stop()).toEqual({ code: 0, signal: null });
  });

  it('refuses a key of the other mode at start (exit 2)', async () => {
    const dir = await tempDir();
    const file = await writeConfig(dir, stripeConfig({ network: 'stripe:live' }));
    const run = await runFacilitator(['--config', file], {
      STRIPE_SECRET_KEY: double.account.secretKey,
      FACILITATOR_TOKEN: TOKEN,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('rails[0]');
    expect(run.stderr).toContain('test-mode key cannot serve stripe:live');
    expect(run.stderr).not.toContain(double.account.secretKey);
  });
});
