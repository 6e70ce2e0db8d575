/**
 * The solana rail end to end: the local LiteSVM JSON-RPC, the real CLI configured to settle on it
 * (the RPC URL and the fee-payer key passed only through environment variables), and a payment
 * made by the Solana exact client, verified and settled over HTTP.
 */
import { readFile } from 'node:fs/promises';
import type { PaymentRequirements } from '@x402-rails/core';
import { createSolanaExactClient } from '@x402-rails/solana/client';
import { type SolanaTestChain, startSolanaTestChain } from '@x402-rails/testkit/solana';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, runFacilitator, startFacilitator, tempDir, writeConfig } from './helpers.js';
import { AUTH, post, TOKEN } from './payments.js';

afterEach(cleanUp);

let chain: SolanaTestChain;
beforeAll(async () => {
  chain = await startSolanaTestChain();
});
afterAll(async () => {
  await chain?.close();
});

const railConfig = (feePayerKeysEnv = 'SOLANA_FEE_PAYER_KEYS') => ({
  type: 'solana',
  networks: [
    {
      network: chain.network,
      rpcUrlEnv: 'SOLANA_RPC_URL',
      usdc: { address: chain.usdc },
      pollIntervalMs: 5,
    },
  ],
  feePayerKeysEnv,
  maxComputeUnitPrice: 1_000_000,
});

describe('the solana rail over HTTP', () => {
  it('verifies and settles a USDC payment on the local Solana, and the token balance moves', async () => {
    const [payer, feePayer, merchant] = [
      await chain.newWallet({ usdc: 1_000_000n }),
      await chain.newWallet(),
      await chain.newWallet({ usdc: 0n }),
    ];
    const keyJson = JSON.stringify([...feePayer.secretKey]);
    const dir = await tempDir();
    const configFile = await writeConfig(dir, {
      listen: { port: 0 },
      auth: { bearerTokenEnv: 'FACILITATOR_TOKEN' },
      store: { driver: 'memory' },
      rails: [railConfig()],
    });
    const configText = await readFile(configFile, 'utf8');
    expect(configText).not.toContain(chain.rpcUrl);
    const service = await startFacilitator(configFile, {
      FACILITATOR_TOKEN: TOKEN,
      SOLANA_RPC_URL: chain.rpcUrl,
      SOLANA_FEE_PAYER_KEYS: keyJson, // a solana-keygen file's content
    });

    const supported = await fetch(`${service.url}/supported`, { headers: AUTH });
    expect(await supported.json()).toEqual({
      kinds: [
        {
          x402Version: 2,
          scheme: 'exact',
          network: chain.network,
          extra: { feePayer: feePayer.address },
        },
      ],
      extensions: [],
      signers: { 'solana:*': [feePayer.address] },
    });

    const requirements: PaymentRequirements = {
      scheme: 'exact',
      network: chain.network,
      amount: '10000',
      asset: chain.usdc,
      payTo: merchant.address,
      maxTimeoutSeconds: 60,
      extra: { feePayer: feePayer.address },
    };
    const client = createSolanaExactClient({ signer: payer.secretKey, rpcUrl: chain.rpcUrl });
    const { payload } = await client.create({
      requirements,
      resource: { url: 'http://127.0.0.1/paid' },
    });
    const body = {
      x402Version: 2,
      paymentPayload: { x402Version: 2, accepted: requirements, payload },
      paymentRequirements: requirements,
    };

    const verified = await post(service.url, '/verify', body);
    expect(verified).toMatchObject({ status: 200, json: { isValid: true, payer: payer.address } });
    expect(await chain.tokenBalanceOf(payer.address)).toBe(1_000_000n);

    const settled = await post(service.url, '/settle', body);
    expect(settled).toMatchObject({
      status: 200,
      json: { success: true, network: chain.network, payer: payer.address },
    });
    expect(await chain.tokenBalanceOf(payer.address)).toBe(990_000n);
    expect(await chain.tokenBalanceOf(merchant.address)).toBe(10_000n);

    // A retry gets the first result from the journal; the landed transaction no longer verifies.
    expect((await post(service.url, '/settle', body)).json).toEqual(settled.json);
    expect((await post(service.url, '/verify', body)).json).toMatchObject({ isValid: false });
    expect(await chain.tokenBalanceOf(merchant.address)).toBe(10_000n);

    // The key and the RPC URL stay out of the logs; the fee payer's address is announced.
    const logs = JSON.stringify(service.logs);
    expect(logs).not.toContain(keyJson);
    expect(logs).not.toContain(chain.rpcUrl);
    expect(service.logs).toContainEqual(
      expect.objectContaining({ msg: 'solana facilitator', signers: [feePayer.address] }),
    );
    expect(await service.stop()).toEqual({ code: 0, signal: null });
  });

  it('refuses a fee-payer variable that holds no Solana key, naming the field', async () => {
    const dir = await tempDir();
    const configFile = await writeConfig(dir, {
      listen: { port: 0 },
      auth: { bearerTokenEnv: 'FACILITATOR_TOKEN' },
      store: { driver: 'memory' },
      rails: [railConfig()],
    });
    const run = await runFacilitator(['--config', configFile], {
      FACILITATOR_TOKEN: TOKEN,
      SOLANA_RPC_URL: chain.rpcUrl,
      SOLANA_FEE_PAYER_KEYS: 'not-a-key',
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('rails[0].feePayerKeysEnv');
  });
});
