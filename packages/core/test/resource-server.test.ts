import { describe, expect, it } from 'vitest';
import {
  createMemoryLedger,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodeBase64Json,
  FacilitatorError,
} from '../src/index.js';
import { createResourceServer, type RoutePaymentConfig } from '../src/server.js';
import { deploy, paid, paymentHeader } from './helpers.js';

const URL_A = 'http://127.0.0.1:4021/weather';
const json = () => Response.json({ weather: 'sunny' });

describe('resource server: no payment', () => {
  it('answers 402 with PAYMENT-REQUIRED listing every configured rail', async () => {
    const d = deploy();
    const response = await d.server.handle(new Request(`${URL_A}?city=paris`), d.route, json);
    expect(response.status).toBe(402);
    const required = decodePaymentRequiredHeader(response.headers.get('payment-required') ?? '');
    expect(required).toMatchObject({
      x402Version: 2,
      resource: { url: URL_A, description: 'Weather report', mimeType: 'application/json' },
      accepts: [
        {
          scheme: 'exact',
          network: 'toy:local',
          amount: '10000',
          asset: 'TOY',
          payTo: d.merchant,
          maxTimeoutSeconds: 60,
        },
      ],
    });
    expect(response.headers.get('access-control-expose-headers')).toContain('PAYMENT-REQUIRED');
    expect(await response.json()).toMatchObject({ error: 'payment_required' });
    expect(d.calls.verify).toBe(0);
  });

  it('gives browsers a paywall page that echoes nothing from the request', async () => {
    const d = deploy();
    const markup = '<script>alert(1)</script>';
    const response = await d.server.handle(
      new Request(`${URL_A}?q=${encodeURIComponent(markup)}&raw=<b>x</b>`, {
        headers: { accept: 'text/html,application/xhtml+xml' },
      }),
      d.route,
      json,
    );
    expect(response.status).toBe(402);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('Weather report');
    expect(html).toContain('0.01 TOY');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('alert(1)');
    expect(html).not.toContain('<b>x</b>');
    expect(html).not.toContain('q=');
    expect(response.headers.get('payment-required')).toBeTruthy();
  });

  it('escapes markup in the configured description', async () => {
    const d = deploy();
    const route = { ...d.route, description: '<img src=x onerror=alert(1)>' };
    const html = await (
      await d.server.handle(new Request(URL_A, { headers: { accept: 'text/html' } }), route, json)
    ).text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
  });

  it('shows a configured resource URL and media type on the paywall, never one from the request', async () => {
    const d = deploy();
    const html = async (route: RoutePaymentConfig) =>
      (
        await d.server.handle(
          new Request(`${URL_A}/%3Ci%3Eecho%3C%2Fi%3E`, { headers: { accept: 'text/html' } }),
          route,
          json,
        )
      ).text();
    const configured = await html({ ...d.route, resource: 'https://api.example/weather' });
    expect(configured).toContain('https://api.example/weather');
    expect(configured).toContain('application/json');
    const derived = await html({ ...d.route, resource: (request) => request.url });
    expect(derived).not.toContain('echo');
    expect(derived).not.toContain('%3Ci%3E');
  });

  it('answers a malformed version 1 X-PAYMENT header with 400, in version 1', async () => {
    const d = deploy();
    const response = await d.server.handle(
      new Request(URL_A, { headers: { 'x-payment': 'e30=' } }),
      d.route,
      json,
    );
    expect(response.status).toBe(400);
    expect(response.headers.has('payment-required')).toBe(false);
    expect(await response.json()).toMatchObject({ x402Version: 1, error: 'invalid_payload' });
    expect(d.calls.verify).toBe(0);
  });
});

describe('resource server: malformed payments', () => {
  const cases: [string, string, string][] = [
    ['garbage', 'not base64 at all!', 'invalid_payload'],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64'), 'invalid_payload'],
    [
      'wrong shape',
      encodeBase64Json({ x402Version: 2, accepted: { scheme: 'exact' } }),
      'invalid_payload',
    ],
    ['JSON null', encodeBase64Json(null), 'invalid_payload'],
    ['oversized (64 KiB)', 'A'.repeat(64 * 1024), 'invalid_payload'],
    [
      'version 1 payload',
      encodeBase64Json({ x402Version: 1, scheme: 'exact', network: 'base', payload: {} }),
      'invalid_x402_version',
    ],
  ];
  for (const [name, header, reason] of cases) {
    it(`${name} → 400 ${reason}, no facilitator call, handler not run`, async () => {
      const d = deploy();
      let ran = false;
      const response = await d.server.handle(paid(URL_A, header), d.route, () => {
        ran = true;
        return json();
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: reason });
      expect(d.calls).toEqual({ verify: 0, settle: 0, release: 0 });
      expect(ran).toBe(false);
    });
  }

  it('refuses requirements that differ from the offer (amount, scheme, network) without calling the facilitator', async () => {
    const d = deploy();
    const { client } = d.toy.fundedClient();
    const { payload } = await paymentHeader(d, URL_A, client);
    const variants: [Record<string, unknown>, string][] = [
      [{ amount: '1' }, 'invalid_payment_requirements'],
      [{ payTo: 'ab'.repeat(32) }, 'invalid_payment_requirements'],
      [{ asset: 'OTHER' }, 'invalid_payment_requirements'],
      [{ scheme: 'upto' }, 'invalid_scheme'],
      [{ network: 'toy:other' }, 'invalid_network'],
    ];
    for (const [change, reason] of variants) {
      const header = encodeBase64Json({ ...payload, accepted: { ...payload.accepted, ...change } });
      const response = await d.server.handle(paid(URL_A, header), d.route, json);
      expect(response.status).toBe(402);
      expect((await response.json()).error).toBe(reason);
    }
    expect(d.calls.verify).toBe(0);
  });

  it('refuses a payment made for another resource', async () => {
    const d = deploy();
    const { client } = d.toy.fundedClient();
    const { header } = await paymentHeader(d, URL_A, client);
    const response = await d.server.handle(
      paid('http://127.0.0.1:4021/other', header),
      d.route,
      json,
    );
    expect(response.status).toBe(402);
    expect((await response.json()).error).toBe('resource_mismatch');
  });
});

describe('resource server: paid requests', () => {
  it('serves a paid request, settles it and attaches PAYMENT-RESPONSE', async () => {
    const d = deploy();
    const { client, wallet } = d.toy.fundedClient(1_000_000n);
    const { header, payload } = await paymentHeader(d, URL_A, client);
    const response = await d.server.handle(paid(URL_A, header), d.route, json);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ weather: 'sunny' });
    const settlement = decodePaymentResponseHeader(response.headers.get('payment-response') ?? '');
    expect(settlement).toMatchObject({
      success: true,
      network: 'toy:local',
      payer: wallet.address,
    });
    expect(d.toy.chain.balanceOf(wallet.address)).toBe(990_000n);
    expect(d.toy.chain.balanceOf(d.merchant)).toBe(10_000n);
    const record = await d.server.ledger.get(d.toy.server.paymentId(payload));
    expect(record).toMatchObject({
      state: 'settled',
      transaction: settlement.transaction,
      payer: wallet.address,
    });
  });

  it('serves one payment once: a second use is payment_already_used', async () => {
    const d = deploy();
    const { client } = d.toy.fundedClient();
    const { header } = await paymentHeader(d, URL_A, client);
    let served = 0;
    const handler = () => {
      served++;
      return json();
    };
    expect((await d.server.handle(paid(URL_A, header), d.route, handler)).status).toBe(200);
    const again = await d.server.handle(paid(URL_A, header), d.route, handler);
    expect(again.status).toBe(402);
    expect((await again.json()).error).toBe('payment_already_used');
    expect(served).toBe(1);
  });

  it('serves exactly one of 25 concurrent requests carrying one payment', async () => {
    const d = deploy();
    const { client, wallet } = d.toy.fundedClient(1_000_000n);
    const { header } = await paymentHeader(d, URL_A, client);
    let served = 0;
    const responses = await Promise.all(
      Array.from({ length: 25 }, () =>
        d.server.handle(paid(URL_A, header), d.route, async () => {
          served++;
          return json();
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 402)).toHaveLength(24);
    expect(served).toBe(1);
    expect(d.toy.chain.balanceOf(wallet.address)).toBe(990_000n);
  });

  it('does not settle when the handler fails, and releases the hold', async () => {
    const d = deploy({ holds: true });
    const { client, wallet } = d.toy.fundedClient(1_000_000n);
    const { header, payload } = await paymentHeader(d, URL_A, client);
    const response = await d.server.handle(
      paid(URL_A, header),
      d.route,
      () => new Response('boom', { status: 500 }),
    );
    expect(response.status).toBe(500);
    expect(response.headers.get('payment-response')).toBeNull();
    expect(d.calls.settle).toBe(0);
    expect(d.calls.release).toBe(1);
    expect(d.toy.chain.balanceOf(wallet.address)).toBe(1_000_000n);
    expect(d.toy.chain.available(wallet.address)).toBe(1_000_000n);
    expect((await d.server.ledger.get(d.toy.server.paymentId(payload)))?.state).toBe('released');
  });

  it('releases and rethrows when the handler throws', async () => {
    const d = deploy({ holds: true });
    const { client, wallet } = d.toy.fundedClient(1_000_000n);
    const { header } = await paymentHeader(d, URL_A, client);
    await expect(
      d.server.handle(paid(URL_A, header), d.route, () => {
        throw new Error('handler exploded');
      }),
    ).rejects.toThrow('handler exploded');
    expect(d.calls.settle).toBe(0);
    expect(d.toy.chain.available(wallet.address)).toBe(1_000_000n);
    // Nothing was paid, so the same payment may be presented again.
    expect((await d.server.handle(paid(URL_A, header), d.route, json)).status).toBe(200);
  });

  it('withholds a streamed body when settlement fails', async () => {
    const d = deploy();
    const { client, wallet } = d.toy.fundedClient(1_000_000n);
    const { header } = await paymentHeader(d, URL_A, client);
    let cancelled = false;
    const response = await d.server.handle(paid(URL_A, header), d.route, () => {
      // The payer's funds leave between verify and settle, so settle fails.
      d.toy.chain.mint(wallet.address, -1_000_000n);
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode('SECRET-CHUNK '));
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(stream, { headers: { 'content-type': 'text/plain' } });
    });
    expect(response.status).toBe(402);
    const body = await response.text();
    expect(body).not.toContain('SECRET');
    expect(JSON.parse(body)).toMatchObject({ error: 'insufficient_funds' });
    expect(
      decodePaymentResponseHeader(response.headers.get('payment-response') ?? ''),
    ).toMatchObject({ success: false, errorReason: 'insufficient_funds' });
    expect(cancelled).toBe(true);
  });

  it('passes a streamed body through after settlement', async () => {
    const d = deploy();
    const { client } = d.toy.fundedClient();
    const { header } = await paymentHeader(d, URL_A, client);
    const response = await d.server.handle(paid(URL_A, header), d.route, () => {
      const chunks = ['one ', 'two ', 'three'];
      return new Response(
        new ReadableStream({
          pull: (c) => {
            const next = chunks.shift();
            if (next) c.enqueue(new TextEncoder().encode(next));
            else c.close();
          },
        }),
      );
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('one two three');
  });

  it('refuses an unfunded payment with the facilitator reason, then accepts it once funded', async () => {
    const d = deploy();
    const { client, wallet } = d.toy.fundedClient(0n);
    const { header } = await paymentHeader(d, URL_A, client);
    const refused = await d.server.handle(paid(URL_A, header), d.route, json);
    expect(refused.status).toBe(402);
    expect((await refused.json()).error).toBe('insufficient_funds');
    d.toy.chain.mint(wallet.address, 10_000n);
    expect((await d.server.handle(paid(URL_A, header), d.route, json)).status).toBe(200);
  });

  it('answers 503 when the facilitator is unreachable, and frees the claim', async () => {
    const d = deploy();
    let down = true;
    const verify = d.facilitator.verify;
    d.facilitator.verify = (p, r, o) =>
      down ? Promise.reject(new FacilitatorError('facilitator_unavailable')) : verify(p, r, o);
    const server = createResourceServer({ facilitator: d.facilitator, schemes: [d.toy.server] });
    const { client } = d.toy.fundedClient();
    const { header } = await paymentHeader(d, URL_A, client);
    const response = await server.handle(paid(URL_A, header), d.route, json);
    expect(response.status).toBe(503);
    expect((await response.json()).error).toBe('facilitator_unavailable');
    down = false;
    expect((await server.handle(paid(URL_A, header), d.route, json)).status).toBe(200);
  });
});

describe('resource server: configuration', () => {
  it('prices and payTo may be functions of the request', async () => {
    const d = deploy();
    const route: RoutePaymentConfig = {
      accepts: {
        scheme: 'exact',
        network: 'toy:local',
        price: (req) => (new URL(req.url).searchParams.get('tier') === 'pro' ? '$0.05' : '$0.01'),
        payTo: async () => d.merchant,
      },
    };
    const pro = await d.server.paymentRequired(new Request(`${URL_A}?tier=pro`), route);
    const basic = await d.server.paymentRequired(new Request(URL_A), route);
    expect(pro.accepts[0]?.amount).toBe('50000');
    expect(basic.accepts[0]?.amount).toBe('10000');
  });

  it('builds static requirements once per route', async () => {
    const d = deploy();
    let built = 0;
    const requirements = d.toy.server.requirements.bind(d.toy.server);
    const server = createResourceServer({
      facilitator: d.facilitator,
      schemes: [
        {
          ...d.toy.server,
          requirements: (ctx) => {
            built++;
            return requirements(ctx);
          },
        },
      ],
    });
    for (let i = 0; i < 5; i++) await server.handle(new Request(URL_A), d.route, json);
    expect(built).toBe(1);
  });

  it('refuses a route for a rail that is not registered, and a bad price, with ConfigError', async () => {
    const d = deploy();
    await expect(
      d.server.handle(
        new Request(URL_A),
        { accepts: { scheme: 'exact', network: 'eip155:1', price: '$1', payTo: d.merchant } },
        json,
      ),
    ).rejects.toMatchObject({ code: 'invalid_config' });
    await expect(
      d.server.handle(
        new Request(URL_A),
        {
          accepts: {
            scheme: 'exact',
            network: 'toy:local',
            price: '$0.0000001',
            payTo: d.merchant,
          },
        },
        json,
      ),
    ).rejects.toMatchObject({ code: 'invalid_amount' });
  });

  it('answers CORS preflights when configured and exposes the payment headers', async () => {
    const d = deploy({ server: { cors: { allowOrigin: 'https://app.example' } } });
    const preflight = await d.server.handle(
      new Request(URL_A, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'payment-signature',
        },
      }),
      d.route,
      json,
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('payment-signature');
    const unpaid = await d.server.handle(
      new Request(URL_A, { headers: { origin: 'https://app.example' } }),
      d.route,
      json,
    );
    expect(unpaid.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(unpaid.headers.get('access-control-expose-headers')).toBe(
      'PAYMENT-REQUIRED, PAYMENT-RESPONSE',
    );
    const other = await d.server.handle(
      new Request(URL_A, { headers: { origin: 'https://evil.example' } }),
      d.route,
      json,
    );
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('resource server: release failures', () => {
  it('still returns the handler failure when voiding the hold fails, and reports it', async () => {
    const events: string[] = [];
    const d = deploy({ holds: true, server: { onEvent: (e) => events.push(e.type) } });
    d.facilitator.release = () => Promise.reject(new Error('processor down'));
    const server = createResourceServer({
      facilitator: d.facilitator,
      schemes: [d.toy.server],
      onEvent: (e) => events.push(e.type),
    });
    const { client } = d.toy.fundedClient();
    const { header } = await paymentHeader(d, URL_A, client);
    const response = await server.handle(
      paid(URL_A, header),
      d.route,
      () => new Response('no', { status: 503 }),
    );
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('no');
    expect(events).toContain('release_failed');
    expect(d.calls.settle).toBe(0);
  });
});

describe('resource server: handler responses with immutable headers', () => {
  it('attaches PAYMENT-RESPONSE to a copy when the handler returns immutable headers', async () => {
    const d = deploy();
    const { client } = d.toy.fundedClient();
    const { header } = await paymentHeader(d, URL_A, client);
    // Response.redirect() has immutable headers, like a Response obtained from fetch().
    const response = await d.server.handle(paid(URL_A, header), d.route, () =>
      Response.redirect('http://127.0.0.1:4021/elsewhere', 302),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://127.0.0.1:4021/elsewhere');
    expect(
      decodePaymentResponseHeader(response.headers.get('payment-response') ?? ''),
    ).toMatchObject({ success: true });
  });

  it('keeps an expose-headers value the handler set', async () => {
    const d = deploy();
    const { client } = d.toy.fundedClient();
    const { header } = await paymentHeader(d, URL_A, client);
    const response = await d.server.handle(
      paid(URL_A, header),
      d.route,
      () => new Response('ok', { headers: { 'access-control-expose-headers': 'X-Trace' } }),
    );
    expect(response.headers.get('access-control-expose-headers')).toBe(
      'X-Trace, PAYMENT-REQUIRED, PAYMENT-RESPONSE',
    );
  });
});

describe('resource server: recovery after a crash', () => {
  it('releases interrupted claims and fails interrupted verified payments, leaving recent ones alone', async () => {
    let clock = 1_000_000;
    const ledger = createMemoryLedger({ now: () => clock });
    const d = deploy({ server: { ledger } });
    const claim = (paymentId: string) =>
      ledger.claim({
        paymentId,
        scheme: 'exact',
        network: 'toy:local',
        asset: 'TOY',
        amount: '1',
        payTo: d.merchant,
        resource: URL_A,
      });
    await claim('old-claimed');
    await claim('old-verified');
    await ledger.transition('old-verified', 'claimed', 'verified');
    clock += 60 * 60_000;
    await claim('recent');
    const options = { olderThanMs: 30 * 60_000, now: clock };
    expect(await d.server.recover(options)).toEqual({ released: 1, failed: 1 });
    expect(await ledger.get('old-claimed')).toMatchObject({
      state: 'released',
      reason: 'interrupted_before_verify',
    });
    expect(await ledger.get('old-verified')).toMatchObject({
      state: 'failed',
      reason: 'interrupted_after_verify',
    });
    expect((await ledger.get('recent'))?.state).toBe('claimed');
    expect(await d.server.recover(options)).toEqual({ released: 0, failed: 0 });
  });
});
