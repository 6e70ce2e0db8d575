/**
 * Where a refusal's reason travels (PAYMENT-REQUIRED's `error` carries the code, as the official
 * SDK sends and reads it; the body keeps a message for people), and the settle response's
 * scheme-specific `extra`: validated by the codec, passed through the engines, and handed to the
 * client rail that paid (`SchemeClient.settled`).
 */

import { x402Client } from '@x402/core/client';
import { x402HTTPClient } from '@x402/core/http';
import { describe, expect, it } from 'vitest';
import { createPaymentClient } from '../src/client.js';
import { createFacilitator } from '../src/facilitator.js';
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodeBase64Json,
  encodePaymentResponseHeader,
  PayloadDecodeError,
  type PaymentPayload,
  type SchemeClient,
  type SchemeFacilitator,
  type SettledContext,
  type SettleResponse,
} from '../src/index.js';
import { createResourceServer, paymentRequiredError } from '../src/server.js';
import { deploy, paid, paymentHeader } from './helpers.js';

const URL_A = 'http://127.0.0.1:4021/weather';
const json = () => Response.json({ weather: 'sunny' });

describe('PAYMENT-REQUIRED error', () => {
  it('first contact carries the human message; the body names the reason', async () => {
    const d = deploy();
    const response = await d.server.handle(new Request(URL_A), d.route, json);
    const required = decodePaymentRequiredHeader(response.headers.get('payment-required') ?? '');
    expect(required.error).toBe('PAYMENT-SIGNATURE header is required');
    expect(await response.json()).toMatchObject({ error: 'payment_required' });
  });

  it('a refusal carries its reason code in the header and its message in the body', async () => {
    const d = deploy();
    const { client } = d.toy.fundedClient();
    const { header } = await paymentHeader(d, URL_A, client);
    expect((await d.server.handle(paid(URL_A, header), d.route, json)).status).toBe(200);
    const again = await d.server.handle(paid(URL_A, header), d.route, json);
    expect(again.status).toBe(402);
    const required = decodePaymentRequiredHeader(again.headers.get('payment-required') ?? '');
    expect(required.error).toBe('payment_already_used');
    const body = (await again.json()) as { error: string; message: string };
    expect(body.error).toBe('payment_already_used');
    expect(body.message).toMatch(/already settled/);
  });

  it('a malformed payment (400) names its reason in the header too', async () => {
    const d = deploy();
    const response = await d.server.handle(paid(URL_A, encodeBase64Json(null)), d.route, json);
    expect(response.status).toBe(400);
    const required = decodePaymentRequiredHeader(response.headers.get('payment-required') ?? '');
    expect(required.error).toBe('invalid_payload');
  });

  it('the official client reads the reason where it looks for it', async () => {
    const d = deploy();
    const { client } = d.toy.fundedClient();
    const { header } = await paymentHeader(d, URL_A, client);
    await d.server.handle(paid(URL_A, header), d.route, json);
    const again = await d.server.handle(paid(URL_A, header), d.route, json);
    const official = new x402HTTPClient(x402Client.fromConfig({ schemes: [] }));
    const result = official.parsePaymentResult({
      status: again.status,
      getHeader: (name) => again.headers.get(name),
      body: undefined,
    });
    expect(result.paymentStatus).toBe('payment_required');
    expect((result.header as { error?: string }).error).toBe('payment_already_used');
  });

  it("carries the rail's name for a refusal when the rail gives one (and the plain one if it throws)", async () => {
    for (const [refusalReason, expected] of [
      [
        ({ reason }: { reason: string }) =>
          reason === 'payment_already_used' ? 'stale_voucher' : undefined,
        'stale_voucher',
      ],
      [() => undefined, 'payment_already_used'],
      [
        () => {
          throw new Error('rail bug');
        },
        'payment_already_used',
      ],
    ] as const) {
      const d = deploy();
      const server = createResourceServer({
        facilitator: d.facilitator,
        schemes: [{ ...d.toy.server, refusalReason }],
      });
      const { client } = d.toy.fundedClient();
      const { header } = await paymentHeader(d, URL_A, client);
      expect((await server.handle(paid(URL_A, header), d.route, json)).status).toBe(200);
      const again = await server.handle(paid(URL_A, header), d.route, json);
      expect(again.status).toBe(402);
      const required = decodePaymentRequiredHeader(again.headers.get('payment-required') ?? '');
      expect(required.error).toBe(expected);
      expect(((await again.json()) as { error: string }).error).toBe(expected);
    }
  });

  it('is decided in one place', () => {
    expect(paymentRequiredError('payment_required', 'PAYMENT-SIGNATURE header is required')).toBe(
      'PAYMENT-SIGNATURE header is required',
    );
    expect(
      paymentRequiredError('insufficient_funds', 'The payer does not have enough funds.'),
    ).toBe('insufficient_funds');
  });
});

const SETTLED: SettleResponse = {
  success: true,
  transaction: '0xabc:3000',
  network: 'toy:local',
  amount: '1000',
  extra: { chargedAmount: '1000', channelState: { chargedCumulativeAmount: '3000' } },
};

describe('SettleResponse.extra', () => {
  it('round-trips through PAYMENT-RESPONSE', () => {
    const decoded = decodePaymentResponseHeader(encodePaymentResponseHeader(SETTLED));
    expect(decoded).toEqual(SETTLED);
  });

  it('reads extra: null as no extra, and refuses an extra that is not an object', () => {
    const withNull = decodePaymentResponseHeader(encodeBase64Json({ ...SETTLED, extra: null }));
    expect('extra' in withNull).toBe(false);
    for (const extra of ['text', 42, ['a']]) {
      expect(() => decodePaymentResponseHeader(encodeBase64Json({ ...SETTLED, extra }))).toThrow(
        PayloadDecodeError,
      );
    }
  });

  it('reaches the client rail that paid, which may not break the response by throwing', async () => {
    const d = deploy();
    const { client: toyClient } = d.toy.fundedClient(1_000_000n);
    // A facilitator whose rail adds settle state, as the deferred rail does.
    const withExtra: SchemeFacilitator = {
      ...d.toy.facilitator,
      async settle(payload, requirements, context) {
        const settled = await d.toy.facilitator.settle(payload, requirements, context);
        return { ...settled, extra: { chargedAmount: requirements.amount } };
      },
    };
    const server = createResourceServer({
      facilitator: createFacilitator({ schemes: [withExtra] }),
      schemes: [d.toy.server],
    });
    const seen: SettledContext[] = [];
    let created: PaymentPayload['payload'] | undefined;
    const rail = (throws: boolean): SchemeClient => ({
      scheme: toyClient.scheme,
      networks: toyClient.networks,
      async create(context) {
        const result = await toyClient.create(context);
        created = result.payload;
        return result;
      },
      settled(context) {
        seen.push(context);
        if (throws) throw new Error('bookkeeping failed');
      },
    });
    for (const throws of [false, true]) {
      const payer = createPaymentClient({
        schemes: [rail(throws)],
        fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
          server.handle(new Request(input, init), d.route, json)) as typeof fetch,
      });
      const response = await payer.fetch(URL_A);
      expect(response.status).toBe(200);
      expect(payer.receiptOf(response)?.settlement?.extra).toEqual({ chargedAmount: '10000' });
      expect(seen.at(-1)?.payload).toEqual(created);
      expect(seen.at(-1)?.requirements.amount).toBe('10000');
      expect(seen.at(-1)?.settlement.extra).toEqual({ chargedAmount: '10000' });
    }
    expect(seen).toHaveLength(2);
  });

  it('is not handed over for a refused payment', async () => {
    const d = deploy();
    const { client: toyClient } = d.toy.fundedClient(1_000_000n);
    let calls = 0;
    let first: Awaited<ReturnType<SchemeClient['create']>> | undefined;
    const replaying: SchemeClient = {
      scheme: toyClient.scheme,
      networks: toyClient.networks,
      async create(context) {
        first ??= await toyClient.create(context);
        return first;
      },
      settled() {
        calls++;
      },
    };
    const payer = createPaymentClient({
      schemes: [replaying],
      fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
        d.server.handle(new Request(input, init), d.route, json)) as typeof fetch,
    });
    expect((await payer.fetch(URL_A)).status).toBe(200);
    expect((await payer.fetch(URL_A)).status).toBe(402);
    expect(calls).toBe(1);
  });
});
