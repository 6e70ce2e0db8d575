/**
 * Corrective refusals: a server rail may amend the requirements of a 402 answering a payment that
 * matched its offer (`refusalRequirements`), and a client rail may ask the engine to pay once more
 * with them (`retryAfterRefusal`) — the deferred rail's channel-state round trip.
 */
import { createToyRail, createToyWallet } from '@x402-rails/testkit';
import { describe, expect, it } from 'vitest';
import { createPaymentClient } from '../src/client.js';
import { createFacilitator } from '../src/facilitator.js';
import {
  decodePaymentRequiredHeader,
  type PaymentRequirements,
  type SchemeClient,
  type SchemeServer,
} from '../src/index.js';
import { createResourceServer, type RoutePaymentConfig } from '../src/server.js';

const URL_PAID = 'http://127.0.0.1:4021/weather';

function setup(amend: SchemeServer['refusalRequirements']) {
  const toy = createToyRail();
  const server: SchemeServer = { ...toy.server, ...(amend ? { refusalRequirements: amend } : {}) };
  const resourceServer = createResourceServer({
    facilitator: createFacilitator({ schemes: [toy.facilitator] }),
    schemes: [server],
  });
  const route: RoutePaymentConfig = {
    accepts: {
      scheme: 'exact',
      network: toy.network,
      price: '$0.01',
      payTo: createToyWallet().address,
    },
  };
  let served = 0;
  const handle = (request: Request) =>
    resourceServer.handle(request, route, () => {
      served++;
      return Response.json({ ok: true });
    });
  return { toy, handle, served: () => served };
}

const hinted = async ({
  reason,
  requirements,
}: {
  reason: string;
  requirements: PaymentRequirements;
}) => ({
  ...requirements,
  extra: { ...requirements.extra, hint: reason },
});

/** A client that replays its first payment once (refused as already used), then pays afresh. */
function replayingClient(inner: SchemeClient, retry: boolean) {
  let first: Awaited<ReturnType<SchemeClient['create']>> | undefined;
  let calls = 0;
  const asked: PaymentRequirements[] = [];
  const client: SchemeClient = {
    scheme: inner.scheme,
    networks: inner.networks,
    async create(context) {
      calls++;
      if (calls === 2 && first) return first;
      const created = await inner.create(context);
      first ??= created;
      return created;
    },
    ...(retry
      ? {
          retryAfterRefusal(requirements: PaymentRequirements) {
            asked.push(requirements);
            return requirements.extra?.['hint'] === 'payment_already_used';
          },
        }
      : {}),
  };
  return { client, asked, calls: () => calls };
}

describe('corrective refusals', () => {
  it('the client engine pays once more when the rail asks, and only once', async () => {
    const s = setup(hinted);
    const { client: toyClient } = s.toy.fundedClient(1_000_000n);
    const replaying = replayingClient(toyClient, true);
    const payer = createPaymentClient({
      schemes: [replaying.client],
      fetch: s.handle as typeof fetch,
    });
    expect((await payer.fetch(URL_PAID)).status).toBe(200);
    const second = await payer.fetch(URL_PAID);
    expect(second.status).toBe(200);
    expect(payer.receiptOf(second)?.settlement?.success).toBe(true);
    expect(replaying.asked).toHaveLength(1);
    expect(replaying.asked[0]?.extra?.['hint']).toBe('payment_already_used');
    expect(replaying.calls()).toBe(3);
    expect(s.served()).toBe(2);
  });

  it('without the rail asking (or without the amendment) the refusal is returned', async () => {
    const noRetry = setup(hinted);
    const a = replayingClient(noRetry.toy.fundedClient(1_000_000n).client, false);
    const payerA = createPaymentClient({
      schemes: [a.client],
      fetch: noRetry.handle as typeof fetch,
    });
    await payerA.fetch(URL_PAID);
    const refusedA = await payerA.fetch(URL_PAID);
    expect(refusedA.status).toBe(402);
    const required = decodePaymentRequiredHeader(refusedA.headers.get('payment-required') ?? '');
    expect(required.accepts[0]?.extra?.['hint']).toBe('payment_already_used');
    // A 402 to a request without payment is never amended.
    expect((await unpaidRequirements(noRetry.handle))[0]?.extra?.['hint']).toBeUndefined();

    const noAmend = setup(undefined);
    const b = replayingClient(noAmend.toy.fundedClient(1_000_000n).client, true);
    const payerB = createPaymentClient({
      schemes: [b.client],
      fetch: noAmend.handle as typeof fetch,
    });
    await payerB.fetch(URL_PAID);
    expect((await payerB.fetch(URL_PAID)).status).toBe(402);
    expect(b.calls()).toBe(2);
  });

  it('a throwing amendment still answers with the plain refusal', async () => {
    const s = setup(async () => {
      throw new Error('ledger down');
    });
    const r = replayingClient(s.toy.fundedClient(1_000_000n).client, true);
    const payer = createPaymentClient({ schemes: [r.client], fetch: s.handle as typeof fetch });
    await payer.fetch(URL_PAID);
    const refused = await payer.fetch(URL_PAID);
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: string }).error).toBe('payment_already_used');
  });
});

async function unpaidRequirements(handle: (r: Request) => Promise<Response>) {
  const unpaid = await handle(new Request(URL_PAID));
  return decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '').accepts;
}
