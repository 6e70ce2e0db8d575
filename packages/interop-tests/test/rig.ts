/**
 * One local EVM chain (Anvil with the EIP-3009 test token) and our resource server on it, plus
 * helpers to serve it through our Express and Hono adapters and to build official SDK clients.
 * The chain runs as Base Sepolia (chain id 84532) so that x402 v1, which names networks
 * (`base-sepolia`), can be spoken to it by the official v1 client.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { serveFetch } from '@x402-rails/core/node';
import { createResourceServer, type RoutePaymentConfig } from '@x402-rails/core/server';
import { createEvmExactFacilitator } from '@x402-rails/evm/facilitator';
import { createEvmExactServer } from '@x402-rails/evm/server';
import { paid as paidExpress } from '@x402-rails/express';
import { paid as paidHono } from '@x402-rails/hono';
import { type EvmTestChain, startEvmTestChain, TEST_USDC } from '@x402-rails/testkit/anvil';
import express from 'express';
import { Hono } from 'hono';

export const PRICE_ATOMIC = 10_000n; // $0.01 of a 6-decimal USD coin

export interface Rig {
  chain: EvmTestChain;
  network: 'eip155:84532';
  merchant: `0x${string}`;
  /** Our resource server (EVM rail, in-process facilitator) behind Express, and behind Hono. */
  expressUrl: string;
  honoUrl: string;
  /** Settlements our facilitator made. */
  settled: () => number;
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const chain = await startEvmTestChain({ chainId: 84532 });
  const network = 'eip155:84532' as const;
  const closers: (() => Promise<void>)[] = [() => chain.stop()];
  try {
    // Base Sepolia, with the local token standing in for its USDC.
    const evmNetwork = {
      id: network,
      blockTimeSeconds: 1,
      usdc: { ...TEST_USDC, address: chain.token },
    };
    const gas = await chain.newWallet({ eth: 10n ** 20n });
    const merchant = (await chain.newWallet()).address;
    const rail = createEvmExactFacilitator({
      networks: [{ ...evmNetwork, rpcUrl: chain.rpcUrl, pollingIntervalMs: 5 }],
      signers: [gas.privateKey],
    });
    const facilitator = createFacilitator({ schemes: [rail] });
    let settled = 0;
    const server = createResourceServer({
      facilitator,
      schemes: [createEvmExactServer({ networks: [evmNetwork] })],
      onEvent: (event) => {
        if (event.type === 'settled') settled++;
      },
    });
    const route: RoutePaymentConfig = {
      accepts: { scheme: 'exact', network, price: '$0.01', payTo: merchant },
      description: 'Weather report',
      mimeType: 'application/json',
    };

    const app = express();
    app.get('/weather', paidExpress(server, route), (_req, res) => {
      res.json({ weather: 'sunny' });
    });
    const http: Server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    closers.push(
      () =>
        new Promise<void>((resolve, reject) => {
          http.closeAllConnections();
          http.close((error) => (error ? reject(error) : resolve()));
        }),
    );
    const expressUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    const hono = new Hono();
    hono.get('/weather', paidHono(server, route), (c) => c.json({ weather: 'sunny' }));
    const honoServer = await serveFetch(hono.fetch, { host: '127.0.0.1', port: 0 });
    closers.push(() => honoServer.close());

    return {
      chain,
      network,
      merchant,
      expressUrl,
      honoUrl: honoServer.url,
      settled: () => settled,
      close: async () => {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => {});
    throw error;
  }
}
