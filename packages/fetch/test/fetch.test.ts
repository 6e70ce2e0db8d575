import { startToyPaidServer, type ToyPaidServer } from '@x402-rails/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPayingFetch, PaymentRefusedError, wrapFetch } from '../src/index.js';

let s: ToyPaidServer;
beforeAll(async () => {
  s = await startToyPaidServer();
});
afterAll(async () => {
  await s.close();
});

const balance = () => s.chain.balanceOf(s.wallet.address);

describe('wrapFetch against a real server', () => {
  it('pays a 402, returns the paid response and its receipt', async () => {
    const before = balance();
    const pay = wrapFetch(fetch, { schemes: s.clients });
    const response = await pay(`${s.url}/weather`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ weather: 'sunny' });
    const receipt = pay.receiptOf(response);
    expect(receipt?.requirements.network).toBe('toy:local');
    expect(receipt?.settlement).toMatchObject({ success: true, payer: s.wallet.address });
    expect(balance()).toBe(before - 10_000n);
  });

  it('passes through a response that needs no payment', async () => {
    const pay = wrapFetch(fetch, { schemes: s.clients });
    const response = await pay(`${s.url}/free`);
    expect(await response.json()).toEqual({ free: true });
    expect(pay.receiptOf(response)).toBeUndefined();
  });

  it('sends a POST body again with the payment', async () => {
    const pay = createPayingFetch({ schemes: s.clients, fetch });
    const response = await pay(`${s.url}/weather`, { method: 'POST', body: 'city=Lisbon' });
    expect(await response.json()).toEqual({ weather: 'sunny', echo: 'city=Lisbon' });
    const sent = s.seen.slice(-2);
    expect(sent.map((r) => [r.paid, r.body])).toEqual([
      [false, 'city=Lisbon'],
      [true, 'city=Lisbon'],
    ]);
  });

  it('prefers the offer the policy ranks first and keeps to the allowed networks', async () => {
    const before = balance();
    const preferCheap = wrapFetch(fetch, {
      schemes: s.clients,
      policy: { prefer: [{ network: 'toy:cheap' }] },
    });
    const first = await preferCheap(`${s.url}/weather`);
    expect(preferCheap.receiptOf(first)?.requirements.network).toBe('toy:cheap');
    const onlyLocal = wrapFetch(fetch, { schemes: s.clients, policy: { networks: ['toy:local'] } });
    const second = await onlyLocal(`${s.url}/weather`);
    expect(onlyLocal.receiptOf(second)?.requirements.network).toBe('toy:local');
    expect(balance()).toBe(before - 2_000n - 10_000n);
  });

  it('refuses above the per-request maximum, pays nothing and sends no payment', async () => {
    const before = balance();
    const sentBefore = s.seen.length;
    const pay = wrapFetch(fetch, {
      schemes: s.clients,
      policy: { maxPerRequest: { TOY: '1000' } },
    });
    const refused = await pay(`${s.url}/weather`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PaymentRefusedError);
    expect((refused as PaymentRefusedError).code).toBe('policy_rejected');
    expect(balance()).toBe(before);
    expect(s.seen.slice(sentBefore).map((r) => r.paid)).toEqual([false]);
  });

  it('keeps a budget across calls of one wrapped fetch', async () => {
    const pay = wrapFetch(fetch, {
      schemes: s.clients,
      policy: {
        networks: ['toy:local'],
        budget: { periodMs: 60 * 60_000, limits: { 'toy:local/TOY': '15000' } },
      },
    });
    expect((await pay(`${s.url}/weather`)).status).toBe(200);
    const before = balance();
    await expect(pay(`${s.url}/weather`)).rejects.toMatchObject({
      code: 'policy_rejected',
      message: expect.stringContaining('budget'),
    });
    expect(balance()).toBe(before);
  });

  it('asks the confirm callback with the chosen requirements and honours a no', async () => {
    const asked: string[] = [];
    const pay = wrapFetch(fetch, {
      schemes: s.clients,
      policy: {
        confirm: (requirements) => {
          asked.push(`${requirements.network} ${requirements.amount}`);
          return false;
        },
      },
    });
    await expect(pay(`${s.url}/weather`)).rejects.toBeInstanceOf(PaymentRefusedError);
    expect(asked).toEqual(['toy:local 10000']);
  });

  it('refuses an offer no registered rail can pay', async () => {
    const pay = wrapFetch(fetch, { schemes: [] });
    await expect(pay(`${s.url}/weather`)).rejects.toMatchObject({ code: 'no_payable_option' });
  });

  it('resends the same payment after a network failure, and pays once', async () => {
    const before = balance();
    const servedBefore = s.served();
    let paidSends = 0;
    // The first paid send reaches the server, is served, and its answer is lost on the way back.
    const flaky = async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      if (!request.headers.has('payment-signature')) return fetch(request);
      paidSends++;
      const response = await fetch(request);
      if (paidSends === 1) {
        await response.body?.cancel();
        throw new TypeError('fetch failed');
      }
      return response;
    };
    const signatures: string[] = [];
    const pay = wrapFetch(
      async (input, init) => {
        const header = new Request(input, init).headers.get('payment-signature');
        if (header) signatures.push(header);
        return flaky(input, init);
      },
      { schemes: s.clients, ambiguousRetries: 1 },
    );
    const response = await pay(`${s.url}/weather`);
    // The resend carried the very same payment, which the server had already used.
    expect(signatures).toHaveLength(2);
    expect(signatures[1]).toBe(signatures[0]);
    expect(response.status).toBe(402);
    expect(pay.receiptOf(response)?.error).toContain('already');
    expect(s.served()).toBe(servedBefore + 1);
    expect(balance()).toBe(before - 10_000n);
  });

  it('resends after a failure before the server saw the payment, and is served', async () => {
    const before = balance();
    let failed = false;
    const pay = wrapFetch(
      async (input, init) => {
        const request = new Request(input, init);
        if (request.headers.has('payment-signature') && !failed) {
          failed = true;
          throw new TypeError('fetch failed');
        }
        return fetch(request);
      },
      { schemes: s.clients },
    );
    const response = await pay(`${s.url}/weather`);
    expect(response.status).toBe(200);
    expect(pay.receiptOf(response)?.settlement?.success).toBe(true);
    expect(balance()).toBe(before - 10_000n);
  });

  it('gives up after the configured resends and rethrows the network error', async () => {
    const before = balance();
    let paidSends = 0;
    const pay = wrapFetch(
      async (input, init) => {
        const request = new Request(input, init);
        if (request.headers.has('payment-signature')) {
          paidSends++;
          throw new TypeError('fetch failed');
        }
        return fetch(request);
      },
      { schemes: s.clients, ambiguousRetries: 2 },
    );
    await expect(pay(`${s.url}/weather`)).rejects.toThrow('fetch failed');
    expect(paidSends).toBe(3);
    expect(balance()).toBe(before);
  });
});
