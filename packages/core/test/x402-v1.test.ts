/**
 * x402 version 1 through the resource-server engine: a client that sent nothing gets the version 2
 * header and a version 1 body; a request with `X-PAYMENT` is understood and answered in version 1.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PaymentRequiredV1, SettleResponseV1 } from '../src/codec-v1.js';
import {
  decodeBase64Json,
  decodePaymentRequiredHeader,
  encodeBase64Json,
  type PaymentRequirements,
} from '../src/index.js';
import { type Deployment, deploy, paymentHeader } from './helpers.js';

const URL_A = 'http://127.0.0.1:4021/weather';
const json = () => Response.json({ weather: 'sunny' });

/** What a version 1 client does: read the 402 body, pay its first offer, send `X-PAYMENT`. */
async function payV1(d: Deployment, url = URL_A) {
  const { client, wallet } = d.toy.fundedClient(1_000_000n);
  const unpaid = await d.server.handle(new Request(url), d.route, json);
  const body = (await unpaid.json()) as PaymentRequiredV1;
  const offer = body.accepts[0];
  if (!offer) throw new Error('no v1 offer');
  const requirements: PaymentRequirements = {
    scheme: offer.scheme,
    network: offer.network as PaymentRequirements['network'],
    amount: offer.maxAmountRequired,
    asset: offer.asset,
    payTo: offer.payTo,
    maxTimeoutSeconds: offer.maxTimeoutSeconds,
    ...(offer.extra ? { extra: offer.extra } : {}),
  };
  const created = await client.create({ requirements, resource: { url: offer.resource } });
  const header = encodeBase64Json({
    x402Version: 1,
    scheme: offer.scheme,
    network: offer.network,
    payload: created.payload,
  });
  return { header, wallet };
}

const v1Request = (header: string, url = URL_A) =>
  new Request(url, { headers: { 'x-payment': header } });

const decodeV1Response = (value: string | null) =>
  decodeBase64Json(
    'X-PAYMENT-RESPONSE',
    value ?? '',
    z.object({
      success: z.boolean(),
      transaction: z.string(),
      network: z.string(),
      payer: z.string().optional(),
      errorReason: z.string().optional(),
    }),
  ) as SettleResponseV1;

describe('x402 v1: first contact', () => {
  it('answers a request without payment with the v2 header and a v1 body', async () => {
    const d = deploy();
    const response = await d.server.handle(new Request(URL_A), d.route, json);
    expect(response.status).toBe(402);
    const required = decodePaymentRequiredHeader(response.headers.get('payment-required') ?? '');
    expect(required.accepts[0]?.amount).toBe('10000');
    expect(await response.json()).toEqual({
      x402Version: 1,
      error: 'payment_required',
      message: 'PAYMENT-SIGNATURE header is required',
      accepts: [
        {
          scheme: 'exact',
          network: 'toy:local', // no legacy name: the CAIP-2 id travels as is
          maxAmountRequired: '10000',
          resource: URL_A,
          description: 'Weather report',
          mimeType: 'application/json',
          payTo: d.merchant,
          maxTimeoutSeconds: 60,
          asset: 'TOY',
          extra: { name: 'Toy Dollar', decimals: 6 },
        },
      ],
    });
  });
});

describe('x402 v1: paid', () => {
  it('settles a v1 payment and answers with X-PAYMENT-RESPONSE, not PAYMENT-RESPONSE', async () => {
    const d = deploy();
    const { header, wallet } = await payV1(d);
    const response = await d.server.handle(v1Request(header), d.route, json);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ weather: 'sunny' });
    expect(response.headers.has('payment-response')).toBe(false);
    expect(decodeV1Response(response.headers.get('x-payment-response'))).toMatchObject({
      success: true,
      network: 'toy:local',
      payer: wallet.address,
    });
    expect(response.headers.get('access-control-expose-headers')).toContain('X-PAYMENT-RESPONSE');
    expect(d.toy.chain.balanceOf(wallet.address)).toBe(990_000n);
    expect(d.calls).toMatchObject({ verify: 1, settle: 1 });
  });

  it('refuses the same v1 payment a second time, in v1', async () => {
    const d = deploy();
    const { header, wallet } = await payV1(d);
    expect((await d.server.handle(v1Request(header), d.route, json)).status).toBe(200);
    const again = await d.server.handle(v1Request(header), d.route, json);
    expect(again.status).toBe(402);
    expect(again.headers.has('payment-required')).toBe(false);
    const body = (await again.json()) as PaymentRequiredV1;
    expect(body).toMatchObject({ x402Version: 1, error: 'payment_already_used' });
    expect(body.accepts).toHaveLength(1);
    expect(d.toy.chain.balanceOf(wallet.address)).toBe(990_000n);
  });

  it('serves one of two concurrent requests with the same v1 payment', async () => {
    const d = deploy();
    const { header } = await payV1(d);
    const responses = await Promise.all(
      [0, 1].map(() => d.server.handle(v1Request(header), d.route, json)),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 402]);
    expect(d.calls.settle).toBe(1);
  });

  it('withholds the body and answers 402 with a failed X-PAYMENT-RESPONSE when settlement fails', async () => {
    const d = deploy();
    const { header, wallet } = await payV1(d);
    const response = await d.server.handle(v1Request(header), d.route, () => {
      d.toy.chain.mint(wallet.address, -1_000_000n); // funds leave between verify and settle
      return new Response('SECRET');
    });
    expect(response.status).toBe(402);
    const body = await response.text();
    expect(body).not.toContain('SECRET');
    expect(JSON.parse(body)).toMatchObject({ x402Version: 1, error: 'insufficient_funds' });
    expect(decodeV1Response(response.headers.get('x-payment-response'))).toMatchObject({
      success: false,
      errorReason: 'insufficient_funds',
      network: 'toy:local',
    });
  });

  it('prefers PAYMENT-SIGNATURE when a request carries both headers', async () => {
    const d = deploy();
    const { client } = d.toy.fundedClient(1_000_000n);
    const { header } = await paymentHeader(d, URL_A, client);
    const response = await d.server.handle(
      new Request(URL_A, { headers: { 'payment-signature': header, 'x-payment': 'garbage' } }),
      d.route,
      json,
    );
    expect(response.status).toBe(200);
    expect(response.headers.has('payment-response')).toBe(true);
    expect(response.headers.has('x-payment-response')).toBe(false);
  });
});

describe('x402 v1: refused before any facilitator call', () => {
  const payload = { signature: '0x00', authorization: {} };
  const cases: [string, string, number, string][] = [
    ['not base64', '%%% not base64 %%%', 400, 'invalid_payload'],
    ['oversized (64 KiB)', 'A'.repeat(64 * 1024), 400, 'invalid_payload'],
    ['wrong shape', encodeBase64Json({ x402Version: 1, scheme: 'exact' }), 400, 'invalid_payload'],
    [
      'a v2 payload in X-PAYMENT',
      encodeBase64Json({ x402Version: 2, accepted: {}, payload }),
      400,
      'invalid_x402_version',
    ],
    [
      'an unknown network name',
      encodeBase64Json({ x402Version: 1, scheme: 'exact', network: 'nowhere', payload }),
      402,
      'invalid_network',
    ],
    [
      'a network this route does not offer',
      encodeBase64Json({ x402Version: 1, scheme: 'exact', network: 'base-sepolia', payload }),
      402,
      'invalid_network',
    ],
    [
      'a scheme this route does not offer',
      encodeBase64Json({ x402Version: 1, scheme: 'upto', network: 'toy:local', payload }),
      402,
      'invalid_scheme',
    ],
  ];
  for (const [what, header, status, reason] of cases) {
    it(`answers ${what} with ${status} ${reason}, in v1`, async () => {
      const d = deploy();
      const response = await d.server.handle(v1Request(header), d.route, json);
      expect(response.status).toBe(status);
      expect(response.headers.has('payment-required')).toBe(false);
      expect(await response.json()).toMatchObject({ x402Version: 1, error: reason });
      expect(d.calls).toEqual({ verify: 0, settle: 0, release: 0 });
    });
  }

  it('still refuses a v1 payload inside PAYMENT-SIGNATURE with 400 invalid_x402_version, in v2', async () => {
    const d = deploy();
    const header = encodeBase64Json({
      x402Version: 1,
      scheme: 'exact',
      network: 'toy:local',
      payload,
    });
    const response = await d.server.handle(
      new Request(URL_A, { headers: { 'payment-signature': header } }),
      d.route,
      json,
    );
    expect(response.status).toBe(400);
    expect(response.headers.has('payment-required')).toBe(true);
    expect(await response.json()).toMatchObject({ x402Version: 2, error: 'invalid_x402_version' });
    expect(d.calls.verify).toBe(0);
  });
});
