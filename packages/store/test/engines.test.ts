/**
 * The headline: one payment presented 50 times at once to 4 resource-server engines that share
 * one database is served exactly once; the other 49 requests get 402 `payment_already_used`.
 * On Postgres each engine has its own Store (its own pool), as separate processes would; on
 * PGlite, which lives in one process, the engines share one Store.
 */
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402-rails/core';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { createResourceServer, type RoutePaymentConfig } from '@x402-rails/core/server';
import { createToyRail, createToyWallet } from '@x402-rails/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Store } from '../src/index.js';
import { cleanup, freshDatabaseUrl, NO_POSTGRES, open } from './harness.js';

const ENGINES = 4;
const REQUESTS = 50;
const URL_ = 'https://api.example.com/weather';

afterAll(cleanup);

/** Four engines over the given stores' payment ledgers, one toy facilitator, one paying client. */
async function race(stores: readonly Store[]) {
  const toy = createToyRail();
  const facilitator = createFacilitator({ schemes: [toy.facilitator] });
  const engines = Array.from({ length: ENGINES }, (_, i) =>
    createResourceServer({
      facilitator,
      schemes: [toy.server],
      ledger: (stores[i % stores.length] as Store).payments,
    }),
  );
  const route: RoutePaymentConfig = {
    accepts: {
      scheme: 'exact',
      network: toy.network,
      price: '$0.01',
      payTo: createToyWallet().address,
    },
    description: 'Weather report',
    mimeType: 'application/json',
  };
  // Ask for the price, pay it once: one PAYMENT-SIGNATURE header, presented 50 times.
  const [first] = engines;
  if (!first) throw new Error('no engine');
  const unpaid = await first.handle(new Request(URL_), route, () => new Response('unreachable'));
  const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
  const requirements = required.accepts[0];
  if (!requirements) throw new Error('no offer');
  const { wallet, client } = toy.fundedClient(1_000_000n);
  const created = await client.create({ requirements, resource: required.resource });
  const header = encodePaymentSignatureHeader({
    x402Version: 2,
    resource: required.resource,
    accepted: requirements,
    payload: created.payload,
  });

  let served = 0;
  const responses = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) =>
      (engines[i % ENGINES] as (typeof engines)[number]).handle(
        new Request(URL_, { headers: { 'payment-signature': header } }),
        route,
        () => {
          served++;
          return Response.json({ weather: 'sunny' });
        },
      ),
    ),
  );
  const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ error?: string }>));
  return { responses, bodies, served, balance: toy.chain.balanceOf(wallet.address) };
}

function expectServedOnce(result: Awaited<ReturnType<typeof race>>) {
  const { responses, bodies } = result;
  expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
  expect(responses.filter((r) => r.status === 402)).toHaveLength(REQUESTS - 1);
  expect(bodies.filter((b) => b.error === 'payment_already_used')).toHaveLength(REQUESTS - 1);
  expect(bodies.filter((b) => 'weather' in b)).toEqual([{ weather: 'sunny' }]);
  expect(result.served).toBe(1);
  // Paid once: $0.01 of the toy dollar (6 decimals) left the wallet, not more.
  expect(result.balance).toBe(1_000_000n - 10_000n);
}

describe('50 concurrent requests with one payment over 4 engines', () => {
  it('on one PGlite store: served once, 49 × 402 payment_already_used', async () => {
    const store = await open({ driver: 'pglite' });
    expectServedOnce(await race([store]));
  });

  const hasPostgres = inject('databaseUrl') !== null;
  it.skipIf(!hasPostgres)(
    hasPostgres
      ? 'on one Postgres, a Store (pool) per engine: served once, 49 × 402 payment_already_used'
      : `on one Postgres (${NO_POSTGRES})`,
    async () => {
      const url = await freshDatabaseUrl();
      const stores = await Promise.all(
        Array.from({ length: ENGINES }, () => open({ driver: 'postgres', url, poolSize: 5 })),
      );
      expectServedOnce(await race(stores));
    },
  );
});
