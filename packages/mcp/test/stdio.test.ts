import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createToyChain, createToyClient, createToyWallet, TOY_NETWORK } from '@x402-rails/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPayingMcpClient } from '../src/client.js';
import { PAYMENT_META_KEY, paymentRequiredOf } from '../src/index.js';
import { PRICE_ATOMIC } from './fixtures.js';

describe('paid MCP tools over stdio', () => {
  const dir = mkdtempSync(join(tmpdir(), 'x402-mcp-'));
  const file = join(dir, 'chain.json');
  const merchant = createToyWallet().address;
  const wallet = createToyWallet();
  const client = new Client({ name: 'stdio-agent', version: '1.0.0' });

  beforeAll(async () => {
    createToyChain({ file }).mint(wallet.address, 1_000_000n);
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [
          '--conditions=source',
          '--import',
          'tsx',
          join(import.meta.dirname, 'stdio-server.ts'),
        ],
        env: {
          ...(process.env as Record<string, string>),
          TOY_CHAIN_FILE: file,
          MERCHANT: merchant,
        },
        stderr: 'inherit',
      }),
    );
  }, 30_000);
  afterAll(async () => {
    await client.close(); // ends the child process
    rmSync(dir, { recursive: true, force: true });
  });

  it('pays once per call, refuses a replay and serves one of two calls with one payment, survives a malformed one', async () => {
    const bad = (await client.callTool({
      name: 'weather',
      arguments: { city: 'Oslo' },
      _meta: { [PAYMENT_META_KEY]: { x402Version: 2 } },
    })) as CallToolResult;
    expect(bad._meta?.['x402/error']).toBe('invalid_payload');

    const payments: unknown[] = [];
    const paying = createPayingMcpClient(client, {
      schemes: [createToyClient({ wallet, network: TOY_NETWORK })],
      policy: { maxPerRequest: { '*': String(PRICE_ATOMIC) } },
      confirm: (c) => {
        payments.push(c.requirements.amount);
        return true;
      },
    });
    const { result, receipt } = await paying.callTool({
      name: 'weather',
      arguments: { city: 'Oslo' },
    });
    expect((result.content[0] as { text: string }).text).toBe('Oslo: sunny');
    expect(receipt?.settlement?.success).toBe(true);
    expect(payments).toEqual([String(PRICE_ATOMIC)]);

    // the same payment on two calls, by hand: one is served
    const unpaid = (await client.callTool({
      name: 'weather',
      arguments: { city: 'Rome' },
    })) as CallToolResult;
    const required = paymentRequiredOf(unpaid);
    const requirements = required?.accepts[0];
    if (!required || !requirements) throw new Error('expected a payment-required result');
    const toyClient = createToyClient({ wallet, network: TOY_NETWORK });
    const created = await toyClient.create({ requirements, resource: required.resource });
    const payload = {
      x402Version: 2,
      resource: required.resource,
      accepted: requirements,
      payload: created.payload,
    };
    const twice = await Promise.all(
      [0, 1].map(
        () =>
          client.callTool({
            name: 'weather',
            arguments: { city: 'Rome' },
            _meta: { [PAYMENT_META_KEY]: payload },
          }) as Promise<CallToolResult>,
      ),
    );
    expect(twice.filter((r) => !r.isError)).toHaveLength(1);
    expect(twice.filter((r) => r._meta?.['x402/error'] === 'payment_already_used')).toHaveLength(1);

    const chain = createToyChain({ file });
    expect(chain.balanceOf(merchant)).toBe(2n * PRICE_ATOMIC);
    expect(chain.balanceOf(wallet.address)).toBe(1_000_000n - 2n * PRICE_ATOMIC);
  }, 30_000);
});
