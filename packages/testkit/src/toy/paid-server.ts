/**
 * A real HTTP server on 127.0.0.1 charging on two toy networks (`toy:local` at $0.01, `toy:cheap`
 * at $0.002), with a free `/free` route and a record of every request it saw: what client adapter
 * tests pay against.
 */
import { createFacilitator } from '@x402-rails/core/facilitator';
import { serveFetch } from '@x402-rails/core/node';
import { createResourceServer, type RoutePaymentConfig } from '@x402-rails/core/server';
import { createToyClient } from './client.js';
import { createToyWallet } from './keys.js';
import { createToyRail } from './rail.js';

export async function startToyPaidServer() {
  const main = createToyRail();
  const cheap = createToyRail({ network: 'toy:cheap', chain: main.chain });
  const merchant = createToyWallet().address;
  const facilitator = createFacilitator({ schemes: [main.facilitator, cheap.facilitator] });
  const server = createResourceServer({ facilitator, schemes: [main.server, cheap.server] });
  const route: RoutePaymentConfig = {
    accepts: [
      { scheme: 'exact', network: 'toy:local', price: '$0.01', payTo: merchant },
      { scheme: 'exact', network: 'toy:cheap', price: '$0.002', payTo: merchant },
    ],
    description: 'Weather report',
  };
  const seen: { method: string; path: string; paid: boolean; body: string }[] = [];
  let served = 0;
  const http = await serveFetch(
    async (request) => {
      const url = new URL(request.url);
      seen.push({
        method: request.method,
        path: url.pathname,
        paid: request.headers.has('payment-signature'),
        body: request.method === 'GET' ? '' : await request.clone().text(),
      });
      if (url.pathname === '/free') return Response.json({ free: true });
      return server.handle(request, route, async (paidRequest) => {
        served++;
        const echo = paidRequest.method === 'POST' ? await paidRequest.text() : undefined;
        return Response.json({ weather: 'sunny', ...(echo !== undefined ? { echo } : {}) });
      });
    },
    { host: '127.0.0.1', port: 0 },
  );
  const wallet = createToyWallet();
  main.chain.mint(wallet.address, 1_000_000n);
  // One wallet on both networks (they share one toy chain, so one balance).
  const clients = [
    createToyClient({ wallet, network: 'toy:local' }),
    createToyClient({ wallet, network: 'toy:cheap' }),
  ];
  return {
    url: http.url,
    close: () => http.close(),
    chain: main.chain,
    merchant,
    wallet,
    clients,
    seen,
    served: () => served,
  };
}

export type ToyPaidServer = Awaited<ReturnType<typeof startToyPaidServer>>;
