/**
 * The behaviour every server adapter (Express, Hono, Next.js, Fastify) must show, run against a
 * real app on 127.0.0.1 over real HTTP, with the toy rail (holds on) and any further rails given.
 */
import { decodePaymentRequiredHeader, decodePaymentResponseHeader } from '@x402-rails/core';
import { createPaymentClient } from '@x402-rails/core/client';
import { createResourceServer, type RoutePaymentConfig } from '@x402-rails/core/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOY_SCHEME } from '../toy/constants.js';
import { createToyWallet } from '../toy/keys.js';
import { createToyRail } from '../toy/rail.js';
import {
  type AdapterApp,
  facilitatorFor,
  HANDLER_MARKERS,
  httpFetch,
  type RailUnderTest,
  rawRequest,
  STREAM_CHUNKS,
  type StartAdapterApp,
  signPayment,
} from './harness.js';

export interface AdapterBehaviourOptions {
  /** Shown in the test names, e.g. `express`. */
  name: string;
  start: StartAdapterApp;
  /** Further rails the route accepts beside the toy rail (started once, stopped after the suite). */
  rails?: () => Promise<readonly RailUnderTest[]>;
}

/** The browser origin the app allows (`createResourceServer({ cors })`). */
export const ALLOWED_ORIGIN = 'https://app.example';

/**
 * Paths of `/weather/:city` that routers and decoders disagree about. `routed: true`: every
 * router sends it to the paid route, so the answer must be 402. The others (double slashes,
 * encoded dot segments, case, trailing slash) are routed by some frameworks and not by others:
 * 402 where the framework routes them to the paid route, 404 where it routes them nowhere, a
 * permanent redirect where it normalizes the path first (Next.js) — never 2xx, never the
 * handler's output.
 */
const NOT_SERVED = [402, 404, 301, 308];
export const PATH_TRICKS: readonly { path: string; routed: boolean }[] = [
  { path: '/weather/a%2Fb', routed: true },
  { path: '/weather/a%5Cb', routed: true },
  { path: '/weather/x%0A', routed: true },
  { path: '/weather/%3Cb%3E', routed: true },
  { path: '/weather//double', routed: false },
  { path: '//weather/double', routed: false },
  { path: '/weather/%2e%2e', routed: false },
  { path: '/weather/%2E%2E/weather/x', routed: false },
  { path: '/weather/x%0a/', routed: false },
  { path: '/WEATHER/x', routed: false },
  { path: '/Weather/Mixed', routed: false },
  { path: '/weather/x/', routed: false },
];

function expectNoHandlerOutput(body: string): void {
  for (const marker of HANDLER_MARKERS) expect(body).not.toContain(marker);
}

export function runAdapterBehaviour(options: AdapterBehaviourOptions): void {
  describe(`${options.name} adapter behaviour`, () => {
    const toy = createToyRail({ holds: true });
    const payTo = createToyWallet().address;
    let extra: readonly RailUnderTest[] = [];
    let app: AdapterApp;
    let facilitator: ReturnType<typeof facilitatorFor>;
    let url = (path: string) => path;

    beforeAll(async () => {
      extra = (await options.rails?.()) ?? [];
      facilitator = facilitatorFor([toy.facilitator, ...extra.map((r) => r.facilitator)]);
      const route: RoutePaymentConfig = {
        description: 'Weather for one city, today',
        accepts: [
          { scheme: TOY_SCHEME, network: toy.network, price: '$0.01', payTo },
          ...extra.map((r) => r.accept),
        ],
      };
      const server = createResourceServer({
        facilitator: facilitator.client,
        schemes: [toy.server, ...extra.map((r) => r.server)],
        cors: { allowOrigin: ALLOWED_ORIGIN },
      });
      app = await options.start({ server, route });
      url = (path) => `${app.url}${path}`;
    });

    afterAll(async () => {
      await app?.stop();
      await Promise.all(extra.map((r) => r.stop()));
    });

    const payer = () => toy.fundedClient(1_000_000n);
    const snapshot = () => ({ ...facilitator.calls });

    it('answers an unpaid request with 402 and a PAYMENT-REQUIRED listing every rail', async () => {
      const response = await httpFetch(url('/weather/paris'));
      expect(response.status).toBe(402);
      const required = decodePaymentRequiredHeader(response.headers.get('payment-required') ?? '');
      expect(required.x402Version).toBe(2);
      // The origin is the framework's to build (Next.js says localhost); the path is the request's.
      expect(new URL(required.resource.url).pathname).toBe('/weather/paris');
      expect(required.accepts.map((a) => a.network)).toEqual([
        toy.network,
        ...extra.map((r) => r.accept.network),
      ]);
      expectNoHandlerOutput(await response.text());
    });

    it('serves a paid request with 200 and PAYMENT-RESPONSE, on the toy rail', async () => {
      const { client, wallet } = payer();
      const agent = createPaymentClient({ schemes: [client], fetch: httpFetch });
      const response = await agent.fetch(url('/weather/paris'));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ city: 'paris', weather: 'sunny' });
      const settlement = decodePaymentResponseHeader(
        response.headers.get('payment-response') ?? '',
      );
      expect(settlement).toMatchObject({ success: true, network: toy.network });
      expect(toy.chain.balanceOf(wallet.address)).toBe(1_000_000n - 10_000n);
    });

    it('serves a paid request on every further rail', async () => {
      for (const rail of extra) {
        const agent = createPaymentClient({ schemes: [rail.payer], fetch: httpFetch });
        const response = await agent.fetch(url('/weather/lima'));
        expect(response.status, rail.name).toBe(200);
        expect(await response.json()).toEqual({ city: 'lima', weather: 'sunny' });
        expect(agent.receiptOf(response)?.settlement).toMatchObject({
          success: true,
          network: rail.accept.network,
        });
      }
    });

    it('serves a paid streamed body whole', async () => {
      const agent = createPaymentClient({ schemes: [payer().client], fetch: httpFetch });
      const response = await agent.fetch(url('/stream/oslo'));
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(STREAM_CHUNKS.join(''));
      expect(response.headers.get('payment-response')).toBeTruthy();
    });

    it('gives browsers the paywall page, echoing nothing from the request', async () => {
      const path = '/weather/zq9city?q=<script>window.zq9=1</script>&r="><img/src=x/onerror=zq9()>';
      const response = await rawRequest(app.url, path, {
        headers: { accept: 'text/html,application/xhtml+xml' },
      });
      expect(response.status).toBe(402);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['payment-required']).toBeTruthy();
      expect(response.body).toContain('Weather for one city, today');
      expect(response.body).toContain('0.01');
      expect(response.body).not.toContain('zq9');
      expectNoHandlerOutput(response.body);
    });

    it('answers CORS preflights and exposes the payment headers', async () => {
      const preflight = await rawRequest(app.url, '/weather/paris', {
        method: 'OPTIONS',
        headers: {
          origin: ALLOWED_ORIGIN,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'payment-signature',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain(
        'payment-signature',
      );

      const unpaid = await rawRequest(app.url, '/weather/paris', {
        headers: { origin: ALLOWED_ORIGIN },
      });
      expect(unpaid.status).toBe(402);
      expect(unpaid.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(unpaid.headers['access-control-expose-headers']).toContain('PAYMENT-REQUIRED');

      const header = await signPayment(url('/weather/paris'), payer().client);
      const paid = await rawRequest(app.url, '/weather/paris', {
        headers: { origin: ALLOWED_ORIGIN, 'payment-signature': header },
      });
      expect(paid.status).toBe(200);
      expect(paid.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(paid.headers['access-control-expose-headers']).toContain('PAYMENT-RESPONSE');
    });

    const v1Payload = Buffer.from(
      JSON.stringify({
        x402Version: 1,
        scheme: 'exact',
        network: 'base-sepolia',
        payload: { signature: '0x00', authorization: { from: '0x0', to: '0x0', value: '1' } },
      }),
    ).toString('base64');
    const badHeaders: [string, string][] = [
      ['malformed', '%%% not base64 %%%'],
      ['base64 of no JSON', Buffer.from('{"x402Version": 2, "accepted":').toString('base64')],
      ['oversized (64 KiB)', 'A'.repeat(64 * 1024)],
      ['v1-shaped', v1Payload],
    ];
    for (const [what, value] of badHeaders) {
      it(`refuses a ${what} PAYMENT-SIGNATURE with 400 and a reason, calling no facilitator`, async () => {
        const before = snapshot();
        const response = await httpFetch(url('/weather/paris'), {
          headers: { 'payment-signature': value },
        });
        expect(response.status).toBe(400);
        const body = (await response.json()) as { error?: unknown };
        expect(typeof body.error).toBe('string');
        expect(String(body.error).length).toBeGreaterThan(0);
        expect(snapshot()).toEqual(before);
      });
    }

    it('serves one payment once when it is sent twice at the same time', async () => {
      const before = snapshot();
      const header = await signPayment(url('/weather/twice'), payer().client);
      const responses = await Promise.all(
        [0, 1].map(() =>
          httpFetch(url('/weather/twice'), { headers: { 'payment-signature': header } }),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([200, 402]);
      const refused = responses.find((r) => r.status === 402);
      expectNoHandlerOutput(await (refused as Response).text());
      expect(facilitator.calls.settle - before.settle).toBe(1);
    });

    it('serves one payment once when it is sent to two routes at the same time', async () => {
      const before = snapshot();
      const header = await signPayment(url('/weather/twin'), payer().client);
      const responses = await Promise.all(
        ['/weather/twin', '/forecast/twin'].map((path) =>
          httpFetch(url(path), { headers: { 'payment-signature': header } }),
        ),
      );
      expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
      expect(responses.filter((r) => r.status === 402)).toHaveLength(1);
      expect(facilitator.calls.settle - before.settle).toBe(1);
      const again = await httpFetch(url('/forecast/twin'), {
        headers: { 'payment-signature': header },
      });
      expect(again.status).toBe(402);
      expectNoHandlerOutput(await again.text());
    });

    for (const path of ['/broken/rome', '/throws/rome']) {
      it(`does not settle when the handler fails, and releases the hold (${path})`, async () => {
        const before = snapshot();
        const { client, wallet } = payer();
        const header = await signPayment(url(path), client);
        const response = await httpFetch(url(path), { headers: { 'payment-signature': header } });
        expect(response.status).toBe(500);
        expect(response.headers.get('payment-response')).toBeNull();
        expect(facilitator.calls.verify - before.verify).toBe(1);
        expect(facilitator.calls.settle - before.settle).toBe(0);
        expect(facilitator.calls.release - before.release).toBe(1);
        expect(toy.chain.balanceOf(wallet.address)).toBe(1_000_000n);
        expect(toy.chain.available(wallet.address)).toBe(1_000_000n);
      });
    }

    for (const path of ['/weather/vienna', '/stream/vienna']) {
      it(`answers a failed settlement with 402 and none of the handler's body (${path})`, async () => {
        const { client, wallet } = payer();
        const header = await signPayment(url(path), client);
        facilitator.control.failSettle = true;
        let response: Awaited<ReturnType<typeof rawRequest>>;
        try {
          response = await rawRequest(app.url, path, { headers: { 'payment-signature': header } });
        } finally {
          facilitator.control.failSettle = false;
        }
        expect(response.status).toBe(402);
        expectNoHandlerOutput(response.body);
        const settlement = decodePaymentResponseHeader(
          String(response.headers['payment-response']),
        );
        expect(settlement.success).toBe(false);
        expect(toy.chain.balanceOf(wallet.address)).toBe(1_000_000n);
      });
    }

    for (const { path, routed } of PATH_TRICKS) {
      it(`never serves ${JSON.stringify(path)} unpaid`, async () => {
        const response = await rawRequest(app.url, path);
        if (routed) expect(response.status).toBe(402);
        else expect(NOT_SERVED).toContain(response.status);
        expectNoHandlerOutput(response.body);
      });
    }

    it('refuses a payment for one path presented on any of its look-alikes', async () => {
      const before = snapshot();
      const header = await signPayment(url('/weather/x'), payer().client);
      // A look-alike that URL parsing turns into /weather/x itself is the same resource, not a trick.
      const lookAlikes = PATH_TRICKS.filter(
        ({ path }) => new URL(path, 'http://h').pathname !== '/weather/x',
      );
      for (const { path } of lookAlikes) {
        const response = await rawRequest(app.url, path, {
          headers: { 'payment-signature': header },
        });
        expect(NOT_SERVED, path).toContain(response.status);
        expectNoHandlerOutput(response.body);
      }
      expect(facilitator.calls.settle).toBe(before.settle);
    });
  });
}
