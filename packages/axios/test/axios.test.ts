import { startToyPaidServer, type ToyPaidServer } from '@x402-rails/testkit';
import axios, { AxiosError } from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentRefusedError, withPayments } from '../src/index.js';

let s: ToyPaidServer;
beforeAll(async () => {
  s = await startToyPaidServer();
});
afterAll(async () => {
  await s.close();
});

const balance = () => s.chain.balanceOf(s.wallet.address);

describe('withPayments on an axios instance against a real server', () => {
  it('pays a 402 and resolves with the paid response and its receipt', async () => {
    const before = balance();
    const api = axios.create({ baseURL: s.url });
    const payments = withPayments(api, { schemes: s.clients });
    const response = await api.get('/weather');
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ weather: 'sunny' });
    expect(payments.receiptOf(response)?.settlement).toMatchObject({
      success: true,
      network: 'toy:local',
      payer: s.wallet.address,
    });
    expect(balance()).toBe(before - 10_000n);
  });

  it('also pays when the caller accepts 402 as a status (fulfilled path)', async () => {
    const api = axios.create({ baseURL: s.url, validateStatus: () => true });
    const payments = withPayments(api, { schemes: s.clients });
    const response = await api.get('/weather');
    expect(response.status).toBe(200);
    expect(payments.receiptOf(response)?.settlement?.success).toBe(true);
  });

  it('sends a JSON body again with the payment, through the caller config', async () => {
    const api = axios.create({ baseURL: s.url, headers: { 'x-agent': 'test' } });
    withPayments(api, { schemes: s.clients });
    const response = await api.post('/weather', { city: 'Lisbon' });
    expect(response.data).toEqual({ weather: 'sunny', echo: '{"city":"Lisbon"}' });
    expect(s.seen.slice(-2).map((r) => [r.paid, r.body])).toEqual([
      [false, '{"city":"Lisbon"}'],
      [true, '{"city":"Lisbon"}'],
    ]);
  });

  it('leaves responses that need no payment alone', async () => {
    const api = axios.create({ baseURL: s.url });
    const payments = withPayments(api, { schemes: s.clients });
    const response = await api.get('/free');
    expect(response.data).toEqual({ free: true });
    expect(payments.receiptOf(response)).toBeUndefined();
  });

  it('rejects with PaymentRefusedError above the per-request maximum, paying nothing', async () => {
    const before = balance();
    const sentBefore = s.seen.length;
    const api = axios.create({ baseURL: s.url });
    withPayments(api, { schemes: s.clients, policy: { maxPerRequest: { TOY: '1000' } } });
    const refused = await api.get('/weather').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PaymentRefusedError);
    expect((refused as PaymentRefusedError).code).toBe('policy_rejected');
    expect(balance()).toBe(before);
    expect(s.seen.slice(sentBefore).map((r) => r.paid)).toEqual([false]);
  });

  it('keeps a budget across requests of one instance, and honours preference', async () => {
    const api = axios.create({ baseURL: s.url });
    const payments = withPayments(api, {
      schemes: s.clients,
      policy: {
        prefer: [{ network: 'toy:cheap' }],
        budget: { periodMs: 60 * 60_000, limits: { TOY: '3000' } },
      },
    });
    const first = await api.get('/weather');
    expect(payments.receiptOf(first)?.requirements.network).toBe('toy:cheap');
    const before = balance();
    await expect(api.get('/weather')).rejects.toMatchObject({ code: 'policy_rejected' });
    expect(balance()).toBe(before);
  });

  it('honours a declining confirm callback', async () => {
    const api = axios.create({ baseURL: s.url });
    let asked = 0;
    withPayments(api, {
      schemes: s.clients,
      policy: {
        confirm: () => {
          asked++;
          return false;
        },
      },
    });
    await expect(api.get('/weather')).rejects.toBeInstanceOf(PaymentRefusedError);
    expect(asked).toBe(1);
  });

  it('resends the same payment after a network failure and pays once', async () => {
    const before = balance();
    const servedBefore = s.served();
    const api = axios.create({ baseURL: s.url });
    const signatures: string[] = [];
    // The first paid send is served, and its answer is lost on the way back.
    api.interceptors.response.use((response) => {
      const signature = response.config.headers.get('payment-signature');
      if (typeof signature !== 'string') return response;
      signatures.push(signature);
      if (signatures.length === 1)
        throw new AxiosError('socket hang up', 'ECONNRESET', response.config);
      return response;
    });
    const payments = withPayments(api, { schemes: s.clients, ambiguousRetries: 1 });
    const refused = await api.get('/weather').catch((error: unknown) => error);
    expect(signatures).toHaveLength(2);
    expect(signatures[1]).toBe(signatures[0]);
    // The server had used the payment: the resend is refused, and nothing was paid twice.
    expect(refused).toBeInstanceOf(AxiosError);
    const response = (refused as AxiosError).response;
    expect(response?.status).toBe(402);
    if (response) expect(payments.receiptOf(response)?.error).toContain('already');
    expect(s.served()).toBe(servedBefore + 1);
    expect(balance()).toBe(before - 10_000n);
  });

  it('pays concurrent requests of one instance independently', async () => {
    const before = balance();
    const api = axios.create({ baseURL: s.url });
    const payments = withPayments(api, { schemes: s.clients, policy: { networks: ['toy:local'] } });
    const responses = await Promise.all([api.get('/weather'), api.post('/weather', 'a=1')]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(responses[1]?.data).toEqual({ weather: 'sunny', echo: 'a=1' });
    const transactions = responses.map((r) => payments.receiptOf(r)?.settlement?.transaction);
    expect(new Set(transactions).size).toBe(2);
    expect(balance()).toBe(before - 20_000n);
  });

  it('stops paying once ejected', async () => {
    const api = axios.create({ baseURL: s.url });
    withPayments(api, { schemes: s.clients }).eject();
    await expect(api.get('/weather')).rejects.toMatchObject({ response: { status: 402 } });
  });
});
