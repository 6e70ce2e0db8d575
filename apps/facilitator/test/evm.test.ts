/**
 * The evm rail end to end: Anvil with the EIP-3009 test USDC, the real CLI configured to settle
 * on it (the RPC URL and the gas key passed only through environment variables), and a payment
 * signed by the EVM exact client, verified and settled over HTTP.
 */
import { readFile } from 'node:fs/promises';
import type { PaymentRequirements } from '@x402-rails/core';
import { createEvmExactClient } from '@x402-rails/evm/client';
import { type EvmTestChain, startEvmTestChain, TEST_USDC } from '@x402-rails/testkit/anvil';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, startFacilitator, tempDir, writeConfig } from './helpers.js';
import { AUTH, post, TOKEN } from './payments.js';

afterEach(cleanUp);

let chain: EvmTestChain;
beforeAll(async () => {
  chain = await startEvmTestChain();
});
afterAll(async () => {
  await chain?.stop();
});

describe('the evm rail over HTTP', () => {
  it('verifies and settles a USDC payment on Anvil, and the token balance moves', async () => {
    const [payer, gas, merchant] = await Promise.all([
      chain.newWallet({ usdc: 1_000_000n }),
      chain.newWallet(),
      chain.newWallet({ eth: 0n }),
    ]);
    const dir = await tempDir();
    const configFile = await writeConfig(dir, {
      listen: { port: 0 },
      auth: { bearerTokenEnv: 'FACILITATOR_TOKEN' },
      store: { driver: 'memory' },
      rails: [
        {
          type: 'evm',
          networks: [
            {
              network: chain.network,
              rpcUrlEnv: 'ANVIL_RPC_URL',
              chainId: chain.chainId,
              blockTimeSeconds: 1,
              usdc: {
                address: chain.token,
                decimals: TEST_USDC.decimals,
                name: TEST_USDC.name,
                version: TEST_USDC.version,
              },
            },
          ],
          signerKeysEnv: 'EVM_SIGNER_KEYS',
          gasPriceCeilingGwei: 1000,
          confirmations: 1,
        },
      ],
    });
    // Secrets only in the environment of the spawned CLI, never in its config file.
    const configText = await readFile(configFile, 'utf8');
    expect(configText).not.toContain(gas.privateKey.slice(2));
    expect(configText).not.toContain(chain.rpcUrl);
    const service = await startFacilitator(configFile, {
      FACILITATOR_TOKEN: TOKEN,
      ANVIL_RPC_URL: chain.rpcUrl,
      EVM_SIGNER_KEYS: gas.privateKey,
    });

    const supported = await fetch(`${service.url}/supported`, { headers: AUTH });
    expect(await supported.json()).toEqual({
      kinds: [{ x402Version: 2, scheme: 'exact', network: chain.network }],
      extensions: [],
      signers: { 'eip155:*': [gas.address] },
    });

    const requirements: PaymentRequirements = {
      scheme: 'exact',
      network: chain.network,
      amount: '10000',
      asset: chain.token,
      payTo: merchant.address,
      maxTimeoutSeconds: 60,
      extra: { name: TEST_USDC.name, version: TEST_USDC.version },
    };
    const { payload } = await createEvmExactClient({ signer: payer.account }).create({
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
    expect(await chain.balanceOf(payer.address)).toBe(1_000_000n);

    const settled = await post(service.url, '/settle', body);
    expect(settled).toMatchObject({
      status: 200,
      json: { success: true, network: chain.network, payer: payer.address },
    });
    const hash = String(settled.json['transaction']);
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await chain.balanceOf(payer.address)).toBe(990_000n);
    expect(await chain.balanceOf(merchant.address)).toBe(10_000n);
    // Mined on Anvil, sent (and paid for) by the configured key.
    const receipt = await chain.anvil.rpc<{ status: string; from: string; to: string }>(
      'eth_getTransactionReceipt',
      [hash],
    );
    expect(receipt).toMatchObject({
      status: '0x1',
      from: gas.address.toLowerCase(),
      to: chain.token.toLowerCase(),
    });

    // A retry gets the first result from the journal; the used authorization no longer verifies.
    expect((await post(service.url, '/settle', body)).json).toEqual(settled.json);
    expect((await post(service.url, '/verify', body)).json).toMatchObject({ isValid: false });
    expect(await chain.balanceOf(merchant.address)).toBe(10_000n);

    // The keys and the RPC URL stay out of the logs; the key's address is announced.
    const logs = JSON.stringify(service.logs);
    expect(logs).not.toContain(gas.privateKey.slice(2));
    expect(logs).not.toContain(chain.rpcUrl);
    expect(service.logs).toContainEqual(
      expect.objectContaining({ msg: 'evm facilitator', signers: [gas.address] }),
    );
    expect(await service.stop()).toEqual({ code: 0, signal: null });
  });
});
