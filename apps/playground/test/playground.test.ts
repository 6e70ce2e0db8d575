import { createServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { decodePaymentRequiredHeader } from '@x402-rails/core';
import { paymentRequiredOf } from '@x402-rails/mcp';
import { describe, expect, it } from 'vitest';
import { connectMcpAgent, createAgentClient } from '../src/agent.js';
import { DEFAULT_AGENT_BALANCE, startPlayground } from '../src/playground.js';
import {
  ANVIL,
  anvilChildren,
  EVM_ADDRESS,
  EVM_TX,
  endpointAt,
  freePort,
  LOOPBACK_URL,
  reachable,
  rpc,
  start,
  TOY_TX,
  TRANSFER_TOPIC,
} from './helpers.js';

describe('startPlayground', () => {
  it('describes both rails, the chain and the wallets, bound to 127.0.0.1 on real ports', async () => {
    const { manifest, toy, evm } = await start();

    expect(manifest.version).toBe(1);
    expect(Number.isNaN(Date.parse(manifest.startedAt))).toBe(false);
    expect(manifest.api.url).toMatch(LOOPBACK_URL);
    expect(manifest.facilitator.url).toMatch(LOOPBACK_URL);
    expect(manifest.chains).toEqual([
      { rail: 'evm', network: ANVIL, rpcUrl: evm.chain.rpcUrl, token: evm.asset.id },
    ]);
    expect(manifest.chains[0]?.rpcUrl).toMatch(LOOPBACK_URL);
    expect(evm.asset.id).toMatch(EVM_ADDRESS);
    expect(evm.asset.id.toLowerCase()).toBe(evm.chain.token.toLowerCase());
    expect(manifest.rails).toEqual([
      expect.objectContaining({ name: 'toy', network: 'toy:local', rpc: null }),
      expect.objectContaining({ name: 'evm', network: ANVIL, rpc: evm.chain.rpcUrl }),
    ]);
    expect(
      manifest.paidEndpoints.map((e) => [
        e.rail,
        e.method,
        new URL(e.url).pathname,
        e.price,
        e.amount,
        e.symbol,
      ]),
    ).toEqual([
      ['toy', 'GET', '/weather', '$0.001', '1000', 'TOY'],
      ['toy', 'GET', '/joke', '$0.01', '10000', 'TOY'],
      ['evm', 'GET', '/weather', '$0.001', '1000', 'USDC'],
      ['evm', 'GET', '/joke', '$0.01', '10000', 'USDC'],
    ]);
    for (const endpoint of manifest.paidEndpoints) {
      expect(endpoint).toMatchObject(
        endpoint.rail === 'toy'
          ? { scheme: 'exact', network: 'toy:local', asset: 'TOY', decimals: 6 }
          : { scheme: 'exact', network: ANVIL, asset: evm.asset.id, decimals: 6 },
      );
      expect(endpoint.url.startsWith(`${manifest.api.url}/`)).toBe(true);
    }
    expect(manifest.wallets).toEqual([
      {
        rail: 'toy',
        role: 'agent',
        address: toy.agent.wallet.address,
        secretKey: toy.agent.wallet.secretKey,
        balance: DEFAULT_AGENT_BALANCE.toString(),
      },
      {
        rail: 'toy',
        role: 'merchant',
        address: toy.merchant.address,
        secretKey: toy.merchant.secretKey,
        balance: '0',
      },
      {
        rail: 'evm',
        role: 'agent',
        address: evm.agent.wallet.address,
        privateKey: evm.agent.wallet.privateKey,
        balance: DEFAULT_AGENT_BALANCE.toString(),
      },
      {
        rail: 'evm',
        role: 'merchant',
        address: evm.merchant.address,
        privateKey: evm.merchant.privateKey,
        balance: '0',
      },
    ]);

    // The chain answers at the manifest's RPC URL and holds the agent's test USDC.
    expect(await rpc(evm.chain.rpcUrl, 'eth_chainId')).toBe('0x7a69');
    expect(await evm.chain.balanceOf(evm.agent.wallet.address)).toBe(DEFAULT_AGENT_BALANCE);

    // The API serves the manifest unpaid; the facilitator announces both rails and its EVM keys.
    const served = await fetch(`${manifest.api.url}/`);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(JSON.stringify(manifest)));
    const supported = await fetch(`${manifest.facilitator.url}/supported`);
    expect(await supported.json()).toMatchObject({
      kinds: [
        { x402Version: 2, scheme: 'exact', network: 'toy:local' },
        { x402Version: 2, scheme: 'exact', network: ANVIL },
      ],
      signers: { 'eip155:*': [...evm.facilitator.addresses] },
    });
  });

  it('lists the paid MCP tool, on both rails, at its own loopback endpoint', async () => {
    const { manifest, evm } = await start();
    expect(manifest.mcp).toEqual([
      {
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:[1-9][0-9]*\/mcp$/),
        tool: 'weather',
        price: '$0.01',
        description: 'Current weather in a city',
        rails: [
          {
            rail: 'toy',
            scheme: 'exact',
            network: 'toy:local',
            amount: '10000',
            asset: 'TOY',
            symbol: 'TOY',
            decimals: 6,
          },
          {
            rail: 'evm',
            scheme: 'exact',
            network: ANVIL,
            amount: '10000',
            asset: evm.asset.id,
            symbol: 'USDC',
            decimals: 6,
          },
        ],
      },
    ]);
    expect(manifest.mcp[0]?.url.startsWith(manifest.api.url)).toBe(false);
  });

  it('MCP: an unpaid tool call gets a payment-required result listing both rails', async () => {
    const { manifest, toy, evm } = await start();
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(manifest.mcp[0]?.url ?? '')));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['weather']);
      expect(tools[0]?.description).toMatch(/paid tool: 0\.01 TOY on .* or 0\.01 USDC on /);
      const result = (await client.callTool({
        name: 'weather',
        arguments: { city: 'Oslo' },
      })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(paymentRequiredOf(result)?.accepts).toEqual([
        expect.objectContaining({
          network: 'toy:local',
          amount: '10000',
          payTo: toy.merchant.address,
        }),
        expect.objectContaining({ network: ANVIL, amount: '10000', payTo: evm.merchant.address }),
      ]);
    } finally {
      await client.close();
    }
  });

  it('toy MCP agent: a paid tool call returns the content and moves exactly the price', async () => {
    const playground = await start();
    const { toy } = playground;
    const { client, paying } = await connectMcpAgent(toy, playground.manifest.mcp[0]?.url ?? '');
    try {
      const before = await playground.balances();
      const { result, receipt } = await paying.callTool({
        name: 'weather',
        arguments: { city: 'Bern' },
      });
      const after = await playground.balances();

      expect(result.isError).toBeFalsy();
      expect(result.content[0]).toMatchObject({
        type: 'text',
        text: expect.stringMatching(/^Bern: /),
      });
      expect(receipt?.requirements).toMatchObject({ network: 'toy:local', amount: '10000' });
      expect(receipt?.settlement).toMatchObject({
        success: true,
        network: 'toy:local',
        payer: toy.agent.wallet.address,
      });
      expect(receipt?.settlement?.transaction).toMatch(TOY_TX);
      expect(toy.rail.chain.transfers.map((t) => t.id)).toContain(receipt?.settlement?.transaction);
      expect(before.toy.agent - after.toy.agent).toBe(10_000n);
      expect(after.toy.merchant - before.toy.merchant).toBe(10_000n);
      expect(after.evm).toEqual(before.evm);
    } finally {
      await client.close();
    }
  });

  it('EVM MCP agent: a paid tool call settles on Anvil and moves exactly the price', async () => {
    const playground = await start();
    const { evm } = playground;
    const { client, paying } = await connectMcpAgent(evm, playground.manifest.mcp[0]?.url ?? '');
    try {
      const before = await playground.balances();
      const { result, receipt } = await paying.callTool({
        name: 'weather',
        arguments: { city: 'Lima' },
      });
      const after = await playground.balances();

      expect(result.content[0]).toMatchObject({
        type: 'text',
        text: expect.stringMatching(/^Lima: /),
      });
      expect(receipt?.settlement).toMatchObject({
        success: true,
        network: ANVIL,
        payer: evm.agent.wallet.address,
      });
      const hash = receipt?.settlement?.transaction ?? '';
      expect(hash).toMatch(EVM_TX);
      const mined = await rpc<{ status: string } | null>(
        evm.chain.rpcUrl,
        'eth_getTransactionReceipt',
        [hash],
      );
      expect(mined?.status).toBe('0x1');
      expect(before.evm.agent - after.evm.agent).toBe(10_000n);
      expect(after.evm.merchant - before.evm.merchant).toBe(10_000n);
      expect(after.toy).toEqual(before.toy);
    } finally {
      await client.close();
    }
  });

  it('binds the paid API to --port', async () => {
    const port = await freePort();
    const { manifest } = await start({ port });
    expect(manifest.api.url).toBe(`http://127.0.0.1:${port}`);
  });

  it('fails to start on a taken port without leaving the facilitator or Anvil behind', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    try {
      if (address === null || typeof address === 'string') throw new Error('no port');
      await expect(startPlayground({ port: address.port })).rejects.toThrow(/EADDRINUSE/);
      expect(anvilChildren()).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('answers an unpaid request with 402 and a PAYMENT-REQUIRED listing both rails', async () => {
    const { manifest, toy, evm } = await start();
    const weather = endpointAt(manifest, 'toy', '/weather');

    const response = await fetch(weather.url);
    expect(response.status).toBe(402);
    const header = response.headers.get('payment-required');
    expect(header).toBeTruthy();
    const required = decodePaymentRequiredHeader(header ?? '');
    expect(required.resource.url).toBe(weather.url);
    expect(required.accepts).toEqual([
      expect.objectContaining({
        scheme: 'exact',
        network: 'toy:local',
        amount: '1000',
        asset: 'TOY',
        payTo: toy.merchant.address,
      }),
      expect.objectContaining({
        scheme: 'exact',
        network: ANVIL,
        amount: '1000',
        asset: evm.asset.id,
        payTo: evm.merchant.address,
        extra: { name: 'USD Coin', version: '2' },
      }),
    ]);
  });

  it('toy agent: one paid request moves exactly the price on the toy ledger', async () => {
    const playground = await start();
    const { toy } = playground;
    const joke = endpointAt(playground.manifest, 'toy', '/joke');
    const client = createAgentClient(toy);

    const before = await playground.balances();
    const response = await client.fetch(joke.url);
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty('joke');
    const after = await playground.balances();

    const receipt = client.receiptOf(response);
    expect(receipt?.requirements.network).toBe('toy:local');
    expect(receipt?.settlement).toMatchObject({
      success: true,
      payer: toy.agent.wallet.address,
      network: 'toy:local',
    });
    expect(receipt?.settlement?.transaction).toMatch(TOY_TX);
    expect(toy.rail.chain.transfers.map((t) => t.id)).toContain(receipt?.settlement?.transaction);
    expect(before.toy.agent - after.toy.agent).toBe(10_000n);
    expect(after.toy.merchant - before.toy.merchant).toBe(10_000n);
    expect(after.evm).toEqual(before.evm);
  });

  it('EVM agent: one paid request moves exactly the price in test USDC, by a transaction on Anvil', async () => {
    const playground = await start();
    const { evm } = playground;
    const { chain } = evm;
    const joke = endpointAt(playground.manifest, 'evm', '/joke');
    const client = createAgentClient(evm);
    const onChain = async () => ({
      agent: await chain.balanceOf(evm.agent.wallet.address),
      merchant: await chain.balanceOf(evm.merchant.address),
    });

    const before = await onChain();
    const toyBefore = await playground.toy.balances();
    const response = await client.fetch(joke.url);
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty('joke');
    const after = await onChain();

    expect(before.agent - after.agent).toBe(10_000n);
    expect(after.merchant - before.merchant).toBe(10_000n);
    expect(await playground.toy.balances()).toEqual(toyBefore);

    const settlement = client.receiptOf(response)?.settlement;
    expect(settlement).toMatchObject({
      success: true,
      network: ANVIL,
      payer: evm.agent.wallet.address,
    });
    const hash = settlement?.transaction ?? '';
    expect(hash).toMatch(EVM_TX);
    // A mined transaction on this chain: sent by a facilitator key to the token, moving the price.
    const receipt = await rpc<{
      status: string;
      from: string;
      to: string;
      logs: { address: string; topics: string[]; data: string }[];
    } | null>(chain.rpcUrl, 'eth_getTransactionReceipt', [hash]);
    expect(receipt?.status).toBe('0x1');
    expect(receipt?.to).toBe(chain.token.toLowerCase());
    expect(evm.facilitator.addresses.map((a) => a.toLowerCase())).toContain(receipt?.from);
    const transfer = receipt?.logs.find((log) => log.topics[0] === TRANSFER_TOPIC);
    expect(transfer?.address).toBe(chain.token.toLowerCase());
    expect(BigInt(transfer?.data ?? '0x0')).toBe(10_000n);
    expect(transfer?.topics[1]).toBe(
      `0x${evm.agent.wallet.address.slice(2).toLowerCase().padStart(64, '0')}`,
    );
    expect(transfer?.topics[2]).toBe(
      `0x${evm.merchant.address.slice(2).toLowerCase().padStart(64, '0')}`,
    );
  });

  it('stops the Anvil node when it closes', async () => {
    const playground = await startPlayground();
    const { anvil, rpcUrl } = playground.evm.chain;
    expect(await reachable(rpcUrl)).toBe(true);

    const mcpUrl = playground.manifest.mcp[0]?.url ?? '';
    expect(await reachable(mcpUrl)).toBe(true);

    await playground.close();
    await playground.close(); // idempotent

    expect(await reachable(rpcUrl)).toBe(false);
    expect(await reachable(mcpUrl)).toBe(false);
    expect(() => process.kill(anvil.pid, 0)).toThrow(/ESRCH/);
    expect(anvilChildren()).toEqual([]);
  });
});
