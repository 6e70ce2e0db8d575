/** The playground with the Stripe card rail: it starts the Stripe double and the card agent pays. */
import { decodePaymentRequiredHeader } from '@x402-rails/core';
import { describe, expect, it } from 'vitest';
import { runAgents } from '../src/agent.js';
import { parseCliArgs } from '../src/args.js';
import { LOOPBACK_URL, start } from './helpers.js';

describe('the playground with --stripe', () => {
  it('offers the card rail only at its minimum, and the card agent pays there', async () => {
    const playground = await start({ stripe: true });
    const { manifest, stripe } = playground;
    if (!stripe) throw new Error('the Stripe rail did not start');
    expect(stripe.double.url).toMatch(LOOPBACK_URL);
    expect(manifest.rails).toContainEqual(
      expect.objectContaining({ name: 'stripe', network: 'stripe:test', rpc: stripe.double.url }),
    );
    // The card rail appears on the $0.50 route only; every rail is offered there.
    const cardEndpoints = manifest.paidEndpoints.filter((e) => e.rail === 'stripe');
    expect(
      cardEndpoints.map((e) => [e.url.replace(manifest.api.url, ''), e.price, e.amount, e.asset]),
    ).toEqual([['/report', '$0.50', '50', 'usd']]);
    expect(
      manifest.paidEndpoints.filter((e) => e.url.endsWith('/report')).map((e) => e.rail),
    ).toEqual(['toy', 'evm', 'stripe']);
    expect(manifest.mcp.every((tool) => tool.rails.every((r) => r.rail !== 'stripe'))).toBe(true);
    expect(manifest.wallets.filter((w) => w.rail === 'stripe')).toEqual([
      expect.objectContaining({
        role: 'agent',
        address: stripe.agent.address,
        token: 'tok_visa',
        balance: '10000',
      }),
      expect.objectContaining({
        role: 'merchant',
        address: stripe.merchant.address,
        secretKey: stripe.merchant.secretKey,
        balance: '0',
      }),
    ]);

    // The cheap routes do not offer cards at all.
    const weather = await fetch(`${manifest.api.url}/weather`);
    const offered = decodePaymentRequiredHeader(weather.headers.get('payment-required') ?? '');
    expect(offered.accepts.map((a) => a.network)).not.toContain('stripe:test');

    const run = await runAgents(playground, { requestsPerEndpoint: 2 });
    const card = run.requests.filter((r) => r.rail === 'stripe');
    expect(card).toHaveLength(2);
    for (const request of card)
      expect(request).toMatchObject({ settled: true, transaction: expect.stringMatching(/^pi_/) });
    expect(run.allSettled).toBe(true);
    expect(run.balances.stripe).toEqual({ agent: 9_900n, merchant: 100n });
    // Every hold was captured: none is left open on the double.
    const held = [...stripe.double.bank.paymentIntents.values()].filter(
      (pi) => pi.status === 'requires_capture',
    );
    expect(held).toEqual([]);
  });

  it('is on by default and left out with --no-stripe', () => {
    expect(parseCliArgs([])).toMatchObject({ stripe: true });
    expect(parseCliArgs(['--no-stripe'])).toMatchObject({ stripe: false, solana: true });
  });
});
