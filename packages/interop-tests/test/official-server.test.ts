/**
 * Our `@x402-rails/fetch` client pays a server built with the official `@x402/express`, whose
 * official resource server verifies and settles through the official facilitator on Anvil.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { x402Facilitator } from '@x402/core/facilitator';
import { x402ResourceServer } from '@x402/core/server';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { ExactEvmScheme as OfficialEvmFacilitator } from '@x402/evm/exact/facilitator';
import { ExactEvmScheme as OfficialEvmServer } from '@x402/evm/exact/server';
import { paymentMiddleware } from '@x402/express';
import { createEvmExactClient } from '@x402-rails/evm/client';
import { PaymentRefusedError, wrapFetch } from '@x402-rails/fetch';
import { TEST_USDC } from '@x402-rails/testkit/anvil';
import express from 'express';
import { createWalletClient, http, publicActions } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRICE_ATOMIC, type Rig, startRig } from './rig.js';

let r: Rig;
let officialUrl: string;
let officialServer: Server | undefined;

beforeAll(async () => {
  r = await startRig();
  const gas = await r.chain.newWallet({ eth: 10n ** 20n });
  const wallet = createWalletClient({
    account: gas.account,
    chain: r.chain.chain,
    transport: http(r.chain.rpcUrl),
    pollingInterval: 5,
  }).extend(publicActions);
  const facilitator = new x402Facilitator().register(
    r.network,
    new OfficialEvmFacilitator(
      toFacilitatorEvmSigner({
        address: gas.account.address,
        readContract: (args) => wallet.readContract(args as never),
        verifyTypedData: (args) => wallet.verifyTypedData(args as never),
        writeContract: (args) => wallet.writeContract(args as never),
        sendTransaction: (args) => wallet.sendTransaction(args),
        waitForTransactionReceipt: (args) => wallet.waitForTransactionReceipt(args),
        getCode: (args) => wallet.getCode(args),
      }),
    ),
  );
  const resourceServer = new x402ResourceServer({
    verify: (payload, requirements) => facilitator.verify(payload, requirements),
    settle: (payload, requirements) => facilitator.settle(payload, requirements),
    getSupported: async () => facilitator.getSupported() as never,
  }).register(r.network, new OfficialEvmServer());
  const app = express();
  app.use(
    paymentMiddleware(
      {
        'GET /weather': {
          accepts: {
            scheme: 'exact',
            network: r.network,
            payTo: r.merchant,
            // The local token is no default asset of the network: name it with its EIP-712 domain.
            price: {
              amount: String(PRICE_ATOMIC),
              asset: r.chain.token,
              extra: { name: TEST_USDC.name, version: TEST_USDC.version },
            },
          },
          description: 'Weather report',
        },
      },
      resourceServer,
    ),
  );
  app.get('/weather', (_req, res) => {
    res.json({ weather: 'sunny' });
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  officialServer = server;
  officialUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  const server = officialServer;
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await r?.close();
});

describe('our fetch client pays the official @x402/express server', () => {
  it('is served, and reads the official PAYMENT-RESPONSE into its receipt', async () => {
    const payer = await r.chain.newWallet({ usdc: 1_000_000n });
    const pay = wrapFetch(fetch, {
      schemes: [createEvmExactClient({ signer: payer.account })],
      policy: { maxPerRequest: { [`${r.network}/${r.chain.token}`]: '50000' } },
    });
    const merchantBefore = await r.chain.balanceOf(r.merchant);
    const response = await pay(`${officialUrl}/weather`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ weather: 'sunny' });
    const receipt = pay.receiptOf(response);
    expect(receipt?.requirements).toMatchObject({ network: r.network, amount: '10000' });
    expect(receipt?.settlement).toMatchObject({
      success: true,
      network: r.network,
      payer: payer.address,
    });
    expect(await r.chain.balanceOf(r.merchant)).toBe(merchantBefore + PRICE_ATOMIC);
    expect(await r.chain.balanceOf(payer.address)).toBe(1_000_000n - PRICE_ATOMIC);
  });

  it('refuses, per its policy, to pay the official server more than allowed', async () => {
    const payer = await r.chain.newWallet({ usdc: 1_000_000n });
    const pay = wrapFetch(fetch, {
      schemes: [createEvmExactClient({ signer: payer.account })],
      policy: { maxPerRequest: { '*': '9999' } },
    });
    await expect(pay(`${officialUrl}/weather`)).rejects.toBeInstanceOf(PaymentRefusedError);
    expect(await r.chain.balanceOf(payer.address)).toBe(1_000_000n);
  });
});
