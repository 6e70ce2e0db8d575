import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { PaymentPayload } from '@x402-rails/core';
import { PaymentRefusedError } from '@x402-rails/core/client';
import { createFacilitator } from '@x402-rails/core/facilitator';
import type { PaymentEvent } from '@x402-rails/core/server';
import { createToyRail, createToyWallet, type ToyRail } from '@x402-rails/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createPayingMcpClient, type PaymentConfirmation } from '../src/client.js';
import {
  ACCEPTS_META_KEY,
  PAYMENT_META_KEY,
  PAYMENT_RESPONSE_META_KEY,
  paymentRequiredOf,
} from '../src/index.js';
import { createPaidServer, PRICE_ATOMIC } from './fixtures.js';

interface Harness {
  toy: ToyRail;
  merchant: string;
  client: Client;
  events: PaymentEvent[];
  calls: { settle: number; release: number };
  runs: () => number;
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A paid MCP server on Streamable HTTP at 127.0.0.1 (free port) and a connected SDK client. */
async function start(options: { holds?: boolean } = {}): Promise<Harness> {
  const toy = createToyRail(options.holds ? { holds: true } : {});
  const merchant = createToyWallet().address;
  const inner = createFacilitator({ schemes: [toy.facilitator] });
  const calls = { settle: 0, release: 0 };
  const facilitator = {
    verify: inner.verify.bind(inner),
    supported: inner.supported.bind(inner),
    settle: (...args: Parameters<typeof inner.settle>) => {
      calls.settle++;
      return inner.settle(...args);
    },
    release: (...args: Parameters<typeof inner.release>) => {
      calls.release++;
      return inner.release(...args);
    },
  };
  const events: PaymentEvent[] = [];
  const { server, runs } = await createPaidServer({
    toy,
    merchant,
    facilitator,
    onEvent: (e) => events.push(e),
  });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
  await server.connect(transport);
  const http: Server = createServer((req, res) => void transport.handleRequest(req, res));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
  stops.push(async () => {
    await client.close();
    await server.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return { toy, merchant, client, events, calls, runs };
}

const text = (result: CallToolResult) => (result.content[0] as { text: string }).text;

/** Pays the first offer of a payment-required result by hand, as any spec-following client would. */
async function payFor(h: Harness, result: CallToolResult, balance = 1_000_000n) {
  const required = paymentRequiredOf(result);
  const requirements = required?.accepts[0];
  if (!required || !requirements) throw new Error('not a payment-required result');
  const { client, wallet } = h.toy.fundedClient(balance);
  const created = await client.create({ requirements, resource: required.resource });
  const payload: PaymentPayload = {
    x402Version: 2,
    resource: required.resource,
    accepted: requirements,
    payload: created.payload,
  };
  return { payload, wallet };
}

describe('paid MCP tools over Streamable HTTP', () => {
  it('lists the price in the tool _meta and description', async () => {
    const h = await start();
    const { tools } = await h.client.listTools();
    const weather = tools.find((t) => t.name === 'weather');
    expect(weather?.description).toMatch(/Weather of a city \(paid tool: .*per call, x402\)/);
    const accepts = weather?._meta?.[ACCEPTS_META_KEY] as { amount: string; payTo: string }[];
    expect(accepts[0]).toMatchObject({ amount: String(PRICE_ATOMIC), payTo: h.merchant });
    expect(tools.find((t) => t.name === 'free')?._meta).toBeUndefined();
  });

  it('answers an unpaid call with a payment-required result in both spec formats', async () => {
    const h = await start();
    const result = (await h.client.callTool({
      name: 'weather',
      arguments: { city: 'Oslo' },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(JSON.parse(text(result))).toEqual(result.structuredContent);
    expect(result.structuredContent).toMatchObject({
      x402Version: 2,
      error: 'Payment required to access this resource',
      resource: { url: 'mcp://tool/weather' },
      accepts: [{ scheme: 'exact', network: h.toy.network, amount: String(PRICE_ATOMIC) }],
    });
    expect(h.runs()).toBe(0);
  });

  it('serves a paid call, moves exactly the price and returns the settlement in _meta', async () => {
    const h = await start();
    const unpaid = (await h.client.callTool({
      name: 'weather',
      arguments: { city: 'Oslo' },
    })) as CallToolResult;
    const { payload, wallet } = await payFor(h, unpaid);
    const paid = (await h.client.callTool({
      name: 'weather',
      arguments: { city: 'Oslo' },
      _meta: { [PAYMENT_META_KEY]: payload },
    })) as CallToolResult;
    expect(paid.isError).toBeFalsy();
    expect(text(paid)).toBe('Oslo: sunny');
    expect(paid._meta?.[PAYMENT_RESPONSE_META_KEY]).toMatchObject({
      success: true,
      network: h.toy.network,
    });
    expect(h.toy.chain.balanceOf(h.merchant)).toBe(PRICE_ATOMIC);
    expect(h.toy.chain.balanceOf(wallet.address)).toBe(1_000_000n - PRICE_ATOMIC);
  });

  it('serves one of two calls carrying the same payment, also when concurrent', async () => {
    const h = await start();
    const unpaid = (await h.client.callTool({
      name: 'weather',
      arguments: { city: 'Oslo' },
    })) as CallToolResult;
    const { payload } = await payFor(h, unpaid);
    const call = () =>
      h.client.callTool({
        name: 'weather',
        arguments: { city: 'Oslo' },
        _meta: { [PAYMENT_META_KEY]: payload },
      }) as Promise<CallToolResult>;
    const [a, b] = await Promise.all([call(), call()]);
    const third = await call();
    const served = [a, b, third].filter((r) => !r.isError);
    expect(served).toHaveLength(1);
    const refused = [a, b, third].filter((r) => r.isError);
    for (const r of refused) {
      expect(r._meta?.['x402/error']).toBe('payment_already_used');
      expect(paymentRequiredOf(r)?.accepts).toHaveLength(1);
    }
    expect(h.runs()).toBe(1);
    expect(h.toy.chain.balanceOf(h.merchant)).toBe(PRICE_ATOMIC);
  });

  it('refuses malformed payments with a clear tool error and keeps serving', async () => {
    const h = await start();
    for (const bad of [
      'not an object',
      { x402Version: 1 },
      { x402Version: 2, accepted: { scheme: 'exact' }, payload: {} },
      { huge: 'x'.repeat(20_000) },
    ]) {
      const result = (await h.client.callTool({
        name: 'weather',
        arguments: { city: 'Oslo' },
        _meta: { [PAYMENT_META_KEY]: bad },
      })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(result._meta?.['x402/error']).toBe('invalid_payload');
      expect(paymentRequiredOf(result)?.error).toMatch(/x402\/payment/);
    }
    const free = (await h.client.callTool({ name: 'free' })) as CallToolResult;
    expect(text(free)).toBe('runs=0');
    // and a good payment still works afterwards
    const unpaid = (await h.client.callTool({
      name: 'weather',
      arguments: { city: 'Rome' },
    })) as CallToolResult;
    const { payload } = await payFor(h, unpaid);
    const paid = (await h.client.callTool({
      name: 'weather',
      arguments: { city: 'Rome' },
      _meta: { [PAYMENT_META_KEY]: payload },
    })) as CallToolResult;
    expect(text(paid)).toBe('Rome: sunny');
  });

  it('refuses a payment for another tool', async () => {
    const h = await start();
    const unpaid = (await h.client.callTool({ name: 'flaky' })) as CallToolResult;
    const { payload } = await payFor(h, unpaid);
    const result = (await h.client.callTool({
      name: 'weather',
      arguments: { city: 'Oslo' },
      _meta: { [PAYMENT_META_KEY]: payload },
    })) as CallToolResult;
    expect(result._meta?.['x402/error']).toBe('resource_mismatch');
    expect(h.toy.chain.balanceOf(h.merchant)).toBe(0n);
  });

  it.each([
    ['flaky', 'upstream down'],
    ['boom', 'kaboom'],
  ])('does not settle when the tool %s fails, and releases the hold', async (name, message) => {
    const h = await start({ holds: true });
    const unpaid = (await h.client.callTool({ name })) as CallToolResult;
    const { payload, wallet } = await payFor(h, unpaid);
    const result = (await h.client.callTool({
      name,
      _meta: { [PAYMENT_META_KEY]: payload },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(message);
    expect(result._meta?.[PAYMENT_RESPONSE_META_KEY]).toBeUndefined();
    expect(h.calls).toEqual({ settle: 0, release: 1 });
    expect(h.toy.chain.balanceOf(h.merchant)).toBe(0n);
    expect(h.toy.chain.balanceOf(wallet.address)).toBe(1_000_000n);
    expect(h.events.map((e) => e.type)).toContain('released');
  });
});

describe('the paying MCP client', () => {
  it('pays a paid tool under the policy and returns the receipt with the result', async () => {
    const h = await start();
    const { client: toyClient, wallet } = h.toy.fundedClient(1_000_000n);
    const asked: PaymentConfirmation[] = [];
    const paying = createPayingMcpClient(h.client, {
      schemes: [toyClient],
      policy: {
        maxPerRequest: { '*': '20000' },
        budget: { periodMs: 60_000, limits: { '*': '20000' } },
      },
      confirm: (c) => {
        asked.push(c);
        return true;
      },
    });
    const { result, receipt } = await paying.callTool({
      name: 'weather',
      arguments: { city: 'Oslo' },
    });
    expect(text(result)).toBe('Oslo: sunny');
    expect(receipt?.settlement).toMatchObject({ success: true, network: h.toy.network });
    expect(receipt?.requirements.amount).toBe(String(PRICE_ATOMIC));
    expect(asked).toEqual([
      expect.objectContaining({
        tool: 'weather',
        arguments: { city: 'Oslo' },
        resource: expect.objectContaining({ url: 'mcp://tool/weather' }),
      }),
    ]);
    expect(h.toy.chain.balanceOf(wallet.address)).toBe(1_000_000n - PRICE_ATOMIC);

    // free tools pass through without a receipt
    const free = await paying.callTool({ name: 'free' });
    expect(free.receipt).toBeUndefined();
    // the budget holds two calls; the third is refused before paying
    await paying.callTool({ name: 'weather', arguments: { city: 'Rome' } });
    await expect(
      paying.callTool({ name: 'weather', arguments: { city: 'Bern' } }),
    ).rejects.toMatchObject({
      code: 'policy_rejected',
    });
    expect(h.toy.chain.balanceOf(h.merchant)).toBe(2n * PRICE_ATOMIC);
  });

  it('refuses above the per-call limit and when the person declines', async () => {
    const h = await start();
    const { client: toyClient } = h.toy.fundedClient(1_000_000n);
    const stingy = createPayingMcpClient(h.client, {
      schemes: [toyClient],
      policy: { maxPerRequest: { '*': '9999' } },
    });
    await expect(
      stingy.callTool({ name: 'weather', arguments: { city: 'Oslo' } }),
    ).rejects.toBeInstanceOf(PaymentRefusedError);
    const declined = createPayingMcpClient(h.client, {
      schemes: [toyClient],
      confirm: () => false,
    });
    await expect(
      declined.callTool({ name: 'weather', arguments: { city: 'Oslo' } }),
    ).rejects.toMatchObject({
      code: 'policy_rejected',
    });
    expect(h.runs()).toBe(0);
    expect(h.toy.chain.balanceOf(h.merchant)).toBe(0n);
  });

  it('reports a failed tool without settlement and gives the budget back', async () => {
    const h = await start();
    const { client: toyClient, wallet } = h.toy.fundedClient(1_000_000n);
    const paying = createPayingMcpClient(h.client, {
      schemes: [toyClient],
      policy: { budget: { periodMs: 60_000, limits: { '*': String(PRICE_ATOMIC) } } },
    });
    const failed = await paying.callTool({ name: 'flaky' });
    expect(failed.result.isError).toBe(true);
    expect(failed.receipt?.settlement).toBeUndefined();
    expect(failed.receipt?.error).toMatch(/nothing was settled/);
    // the budget was given back, so one paid call still fits
    const ok = await paying.callTool({ name: 'weather', arguments: { city: 'Oslo' } });
    expect(ok.receipt?.settlement?.success).toBe(true);
    expect(h.toy.chain.balanceOf(wallet.address)).toBe(1_000_000n - PRICE_ATOMIC);
  });
});
