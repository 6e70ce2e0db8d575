import { createToyClient, createToyRail, createToyWallet } from '@x402-rails/testkit';
import { describe, expect, it } from 'vitest';
import { createPaymentClient, type PaymentReceipt } from '../src/client.js';
import { createFacilitator } from '../src/facilitator.js';
import { encodeBase64Json, PayloadDecodeError, PaymentRefusedError } from '../src/index.js';
import { createResourceServer, type RoutePaymentConfig } from '../src/server.js';

/** A server on two toy networks (an expensive one and a cheap one), reached through `fetch`. */
function setup(options: { expensive?: string; cheap?: string } = {}) {
  const main = createToyRail();
  const cheap = createToyRail({ network: 'toy:cheap', chain: main.chain });
  const merchant = createToyWallet().address;
  const facilitator = createFacilitator({ schemes: [main.facilitator, cheap.facilitator] });
  const server = createResourceServer({ facilitator, schemes: [main.server, cheap.server] });
  const route: RoutePaymentConfig = {
    accepts: [
      {
        scheme: 'exact',
        network: 'toy:local',
        price: options.expensive ?? '$0.01',
        payTo: merchant,
      },
      { scheme: 'exact', network: 'toy:cheap', price: options.cheap ?? '$0.002', payTo: merchant },
    ],
  };
  let served = 0;
  const sent: Request[] = [];
  const fetchThroughServer = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    sent.push(request.clone());
    if (new URL(request.url).pathname === '/free') return new Response('free');
    return server.handle(request, route, () => {
      served++;
      return Response.json({ ok: true });
    });
  };
  const wallet = createToyWallet();
  main.chain.mint(wallet.address, 1_000_000n);
  // One wallet, both networks (they share one toy chain, so one balance).
  const clients = [
    createToyClient({ wallet, network: 'toy:local' }),
    createToyClient({ wallet, network: 'toy:cheap' }),
  ];
  return {
    main,
    merchant,
    wallet,
    clients,
    fetch: fetchThroughServer as typeof fetch,
    sent,
    served: () => served,
  };
}

const URL_PAID = 'http://127.0.0.1:4021/weather';

describe('payment client', () => {
  it('pays a 402 and returns the paid response with a receipt', async () => {
    const s = setup();
    const receipts: PaymentReceipt[] = [];
    const client = createPaymentClient({
      schemes: s.clients,
      fetch: s.fetch,
      onReceipt: (r) => receipts.push(r),
    });
    const response = await client.fetch(URL_PAID);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    const receipt = client.receiptOf(response);
    expect(receipt?.settlement).toMatchObject({
      success: true,
      network: 'toy:local',
      payer: s.wallet.address,
    });
    expect(receipts).toHaveLength(1);
    expect(s.main.chain.balanceOf(s.wallet.address)).toBe(990_000n);
  });

  it('passes through responses that need no payment, and a 402 that is not x402', async () => {
    const s = setup();
    const client = createPaymentClient({ schemes: s.clients, fetch: s.fetch });
    const free = await client.fetch('http://127.0.0.1:4021/free');
    expect(await free.text()).toBe('free');
    const plain402 = createPaymentClient({
      schemes: s.clients,
      fetch: (async () => new Response('pay me', { status: 402 })) as typeof fetch,
    });
    expect((await plain402.fetch(URL_PAID)).status).toBe(402);
  });

  it('throws PayloadDecodeError for a malformed PAYMENT-REQUIRED header', async () => {
    const bad = (async () =>
      new Response(null, {
        status: 402,
        headers: { 'payment-required': encodeBase64Json({ x402Version: 2, accepts: 'x' }) },
      })) as typeof fetch;
    const client = createPaymentClient({ schemes: setup().clients, fetch: bad });
    await expect(client.fetch(URL_PAID)).rejects.toBeInstanceOf(PayloadDecodeError);
  });

  it('refuses to pay above the per-request maximum, creating no payment', async () => {
    const s = setup();
    const client = createPaymentClient({
      schemes: s.clients,
      fetch: s.fetch,
      policy: { maxPerRequest: { TOY: '1000' } },
    });
    await expect(client.fetch(URL_PAID)).rejects.toMatchObject({ code: 'policy_rejected' });
    expect(s.sent).toHaveLength(1);
    expect(s.main.chain.balanceOf(s.wallet.address)).toBe(1_000_000n);
  });

  it('refuses an asset that has no configured limit', async () => {
    const s = setup();
    const client = createPaymentClient({
      schemes: s.clients,
      fetch: s.fetch,
      policy: { maxPerRequest: { USDC: '1000000' } },
    });
    await expect(client.fetch(URL_PAID)).rejects.toBeInstanceOf(PaymentRefusedError);
  });

  it('checks the limit on the option actually chosen', async () => {
    const s = setup();
    // The preferred option (toy:local, 10000) exceeds the limit; the cheap one (2000) fits and is paid.
    const client = createPaymentClient({
      schemes: s.clients,
      fetch: s.fetch,
      policy: { maxPerRequest: { TOY: '5000' }, prefer: [{ network: 'toy:local' }] },
    });
    const response = await client.fetch(URL_PAID);
    expect(response.status).toBe(200);
    expect(client.receiptOf(response)?.requirements).toMatchObject({
      network: 'toy:cheap',
      amount: '2000',
    });
    expect(s.main.chain.balanceOf(s.wallet.address)).toBe(998_000n);
  });

  it('follows the preference order and the allowed networks', async () => {
    const s = setup();
    const preferCheap = createPaymentClient({
      schemes: s.clients,
      fetch: s.fetch,
      policy: { prefer: [{ network: 'toy:cheap' }] },
    });
    expect(preferCheap.receiptOf(await preferCheap.fetch(URL_PAID))?.requirements.network).toBe(
      'toy:cheap',
    );
    const onlyLocal = createPaymentClient({
      schemes: s.clients,
      fetch: s.fetch,
      policy: { networks: ['toy:local'], prefer: [{ network: 'toy:cheap' }] },
    });
    expect(onlyLocal.receiptOf(await onlyLocal.fetch(URL_PAID))?.requirements.network).toBe(
      'toy:local',
    );
    const none = createPaymentClient({
      schemes: s.clients,
      fetch: s.fetch,
      policy: { networks: ['eip155:*'] },
    });
    await expect(none.fetch(URL_PAID)).rejects.toMatchObject({ code: 'no_payable_option' });
  });

  it('keeps to a budget per period, and gives back what a refused payment did not spend', async () => {
    const s = setup({ cheap: '$0.01' });
    let now = 1_000_000;
    const client = createPaymentClient({
      schemes: s.clients,
      fetch: s.fetch,
      now: () => now,
      policy: {
        networks: ['toy:local'],
        budget: { periodMs: 60_000, limits: { 'toy:local/TOY': '25000' } },
      },
    });
    expect((await client.fetch(URL_PAID)).status).toBe(200);
    expect((await client.fetch(URL_PAID)).status).toBe(200);
    await expect(client.fetch(URL_PAID)).rejects.toMatchObject({ code: 'policy_rejected' });
    now += 61_000;
    // A payment the server refuses (payer drained) is not counted against the budget.
    s.main.chain.mint(s.wallet.address, -s.main.chain.balanceOf(s.wallet.address));
    expect((await client.fetch(URL_PAID)).status).toBe(402);
    s.main.chain.mint(s.wallet.address, 100_000n);
    expect((await client.fetch(URL_PAID)).status).toBe(200);
    expect((await client.fetch(URL_PAID)).status).toBe(200);
  });

  it('asks the confirmation callback about the chosen option', async () => {
    const s = setup();
    const seen: string[] = [];
    const client = createPaymentClient({
      schemes: s.clients,
      fetch: s.fetch,
      policy: {
        confirm: (req) => {
          seen.push(req.amount);
          return false;
        },
      },
    });
    await expect(client.fetch(URL_PAID)).rejects.toMatchObject({ code: 'policy_rejected' });
    expect(seen).toEqual(['10000']);
    expect(s.sent).toHaveLength(1);
  });

  it('resends the same payment after an ambiguous failure and never pays twice', async () => {
    const s = setup();
    let dropNextPaidResponse = true;
    const flaky = (async (input: string | URL | Request, init?: RequestInit) => {
      const hasPayment = (
        input instanceof Request ? input.headers : new Headers(init?.headers)
      ).has('payment-signature');
      const response = await s.fetch(input, init);
      if (hasPayment && dropNextPaidResponse) {
        dropNextPaidResponse = false;
        throw new TypeError('fetch failed: connection reset'); // served and settled, but the answer is lost
      }
      return response;
    }) as typeof fetch;
    const client = createPaymentClient({ schemes: s.clients, fetch: flaky });
    const response = await client.fetch(URL_PAID, {
      method: 'POST',
      body: JSON.stringify({ q: 1 }),
    });
    expect(response.status).toBe(402);
    expect((await response.json()).error).toBe('payment_already_used');
    const paidHeaders = s.sent
      .map((r) => r.headers.get('payment-signature'))
      .filter((h) => h !== null);
    expect(paidHeaders).toHaveLength(2);
    expect(paidHeaders[0]).toBe(paidHeaders[1]);
    expect(s.served()).toBe(1);
    expect(s.main.chain.balanceOf(s.wallet.address)).toBe(990_000n);
    expect(await s.sent[2]?.text()).toBe('{"q":1}');
  });
});
