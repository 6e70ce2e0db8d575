/** A toy deployment with paid MCP tools, shared by the in-process tests and the stdio server script. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { FacilitatorClient } from '@x402-rails/core';
import type { ToyRail } from '@x402-rails/testkit';
import { z } from 'zod';
import { createMcpPayments, type McpPaymentsOptions } from '../src/server.js';

export const PRICE_ATOMIC = 10_000n; // $0.01 of the 6-decimal toy asset

export async function createPaidServer(options: {
  toy: ToyRail;
  merchant: string;
  facilitator: FacilitatorClient;
  onEvent?: McpPaymentsOptions['onEvent'];
}) {
  const server = new McpServer({ name: 'paid-tools', version: '1.0.0' });
  const payments = createMcpPayments({
    facilitator: options.facilitator,
    schemes: [options.toy.server],
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const payment = {
    accepts: {
      scheme: 'exact',
      network: options.toy.network,
      price: '$0.01',
      payTo: options.merchant,
    },
  };
  let runs = 0;
  await payments.paidTool(
    server,
    'weather',
    { description: 'Weather of a city', inputSchema: { city: z.string() }, payment },
    async ({ city }) => {
      runs++;
      return { content: [{ type: 'text', text: `${city}: sunny` }] };
    },
  );
  await payments.paidTool(server, 'flaky', { description: 'Always fails', payment }, async () => ({
    isError: true,
    content: [{ type: 'text', text: 'upstream down' }],
  }));
  await payments.paidTool(server, 'boom', { description: 'Throws', payment }, async () => {
    throw new Error('kaboom');
  });
  server.registerTool('free', { description: 'Costs nothing' }, async () => ({
    content: [{ type: 'text', text: `runs=${runs}` }],
  }));
  return { server, payments, runs: () => runs };
}
