/**
 * End to end over HTTP: an agent pays a resource server, which calls a facilitator service over
 * HTTP, which settles on the local Solana over JSON-RPC. Every hop is a real socket on 127.0.0.1.
 */
import { createPaymentClient } from '@x402-rails/core/client';
import {
  createFacilitator,
  createFacilitatorHandler,
  createHttpFacilitatorClient,
} from '@x402-rails/core/facilitator';
import { type FetchServer, serveFetch } from '@x402-rails/core/node';
import { createResourceServer } from '@x402-rails/core/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSolanaExactClient } from '../src/client.js';
import { createSolanaExactServer } from '../src/server.js';
import { type Rig, rig } from './helpers.js';

let r: Rig;
let facilitatorService: FetchServer;
let api: FetchServer;
let served = 0;

beforeAll(async () => {
  r = await rig();
  facilitatorService = await serveFetch(
    createFacilitatorHandler(createFacilitator({ schemes: [r.facilitator] })),
    { host: '127.0.0.1', port: 0 },
  );
  const facilitator = createHttpFacilitatorClient({ url: facilitatorService.url });
  // The server learns the fee payer from the facilitator's /supported.
  const solana = createSolanaExactServer({ networks: [r.network], facilitator });
  const server = createResourceServer({ facilitator, schemes: [solana] });
  const route = {
    accepts: {
      scheme: 'exact',
      network: r.network.id,
      price: '$0.02',
      payTo: r.merchant.address,
    },
  };
  api = await serveFetch(
    (request) =>
      server.handle(request, route, () => {
        served += 1;
        return Response.json({ weather: 'sunny' });
      }),
    { host: '127.0.0.1', port: 0 },
  );
});

afterAll(async () => {
  await api?.close();
  await facilitatorService?.close();
  await r?.close();
});

it('pays for a request over HTTP and settles on the local Solana RPC', async () => {
  const agent = createPaymentClient({
    schemes: [createSolanaExactClient({ signer: r.payer.secretKey, networks: [r.network] })],
  });
  const before = await r.chain.tokenBalanceOf(r.merchant.address);
  const response = await agent.fetch(`${api.url}/weather`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ weather: 'sunny' });
  const receipt = agent.receiptOf(response);
  expect(receipt?.settlement).toMatchObject({ success: true, payer: r.payer.address });
  expect(await r.chain.tokenBalanceOf(r.merchant.address)).toBe(before + 20_000n);
  expect(served).toBe(1);
});

it('refuses the same PAYMENT-SIGNATURE a second time, serving nothing', async () => {
  let header: string | null = null;
  const agent = createPaymentClient({
    schemes: [createSolanaExactClient({ signer: r.payer.secretKey, networks: [r.network] })],
    fetch: async (input, init) => {
      const request = new Request(input, init);
      header = request.headers.get('payment-signature') ?? header;
      return fetch(request);
    },
  });
  expect((await agent.fetch(`${api.url}/weather`)).status).toBe(200);
  const balance = await r.chain.tokenBalanceOf(r.merchant.address);
  const count = served;
  const replay = await fetch(`${api.url}/weather`, {
    headers: { 'payment-signature': header ?? '' },
  });
  expect(replay.status).toBe(402);
  expect(served).toBe(count);
  expect(await r.chain.tokenBalanceOf(r.merchant.address)).toBe(balance);
});
