/**
 * The agents: one payment client per rail, each with its own funded wallet, calling every paid
 * endpoint a few times on its own rail and every paid MCP tool, and reporting each request, its
 * price, the rail and the receipt, then the balances.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { PaymentRequirements, SettleResponse } from '@x402-rails/core';
import {
  createPaymentClient,
  type PaymentClient,
  type SpendingPolicy,
} from '@x402-rails/core/client';
import { createPayingMcpClient, type PayingMcpClient } from '@x402-rails/mcp/client';
import { WEATHER_TOOL } from './catalog.js';
import type { McpEndpointEntry, PaidEndpointEntry, RailName } from './manifest.js';
import type { Playground } from './playground.js';
import { type Balances, formatAmount, type PlaygroundRail } from './rails/rail.js';

/**
 * 1 of the rail's asset in TOY or USDC (6 decimals; $10,000 in cents on the card rail): above every
 * price, the $0.50 card-priced route included, so only a mispriced route is refused.
 */
export const AGENT_MAX_PER_REQUEST = '1000000';

export interface PaidRequestResult {
  rail: RailName;
  network: string;
  method: string;
  url: string;
  /** HTTP status of the final response; 0 when no response arrived. */
  status: number;
  /** Atomic amount paid (from the requirements), or the advertised amount when nothing was paid. */
  amount: string;
  asset: string;
  /** The same amount for people, e.g. `0.001 TOY`, `0.01 USDC`. */
  price: string;
  /** The rail's transaction: a toy transfer id, or an EVM transaction hash. */
  transaction?: string;
  payer?: string;
  /** 200-class response with a successful settlement receipt. */
  settled: boolean;
  error?: string;
}

/** One paid MCP tool call. */
export interface McpCallResult {
  rail: RailName;
  network: string;
  /** The MCP endpoint. */
  url: string;
  tool: string;
  arguments: Record<string, unknown>;
  /** Atomic amount paid (from the requirements), or the advertised amount when nothing was paid. */
  amount: string;
  asset: string;
  /** The same amount for people, e.g. `0.01 TOY`. */
  price: string;
  /** The tool's text content (when it answered). */
  text?: string;
  transaction?: string;
  payer?: string;
  /** The tool answered without error, with a successful settlement. */
  settled: boolean;
  error?: string;
}

export interface AgentRun {
  requests: PaidRequestResult[];
  /** The agents' paid MCP tool calls. */
  mcpCalls: McpCallResult[];
  /** Every HTTP request and every MCP call settled. */
  allSettled: boolean;
  /** After the run, per rail. */
  balances: Record<RailName, Balances>;
}

export interface AgentOptions {
  /** Default 3. */
  requestsPerEndpoint?: number;
  /** Calls of each paid MCP tool per agent; default 1. */
  callsPerTool?: number;
  log?: (line: string) => void;
}

type AgentRail = Pick<PlaygroundRail, 'name' | 'scheme' | 'network' | 'asset' | 'agent'> &
  Partial<Pick<PlaygroundRail, 'prepareAgent' | 'agentCallsPerEndpoint'>>;

/**
 * Pays on `rail` only: its network alone is allowed and preferred, and the per-request cap is
 * keyed `network/asset`, so an offer on another rail is never taken even if a client could pay it.
 */
export function agentPolicy(rail: AgentRail): SpendingPolicy {
  return {
    networks: [rail.network],
    prefer: [{ scheme: rail.scheme, network: rail.network, asset: rail.asset.id }],
    maxPerRequest: { [`${rail.network}/${rail.asset.id}`]: AGENT_MAX_PER_REQUEST },
  };
}

/** The paying fetch of the agent of `rail`. */
export function createAgentClient(rail: AgentRail): PaymentClient {
  return createPaymentClient({ schemes: [rail.agent.client], policy: agentPolicy(rail) });
}

/** Whether a paid call settled, its transaction and payer, or why not (HTTP and MCP alike). */
function settlementOutcome(
  served: boolean,
  settlement: SettleResponse | undefined,
  fallbackError: string,
): { settled: boolean; transaction?: string; payer?: string; error?: string } {
  const settled = served && settlement?.success === true && settlement.transaction !== '';
  return {
    settled,
    ...(settlement?.transaction ? { transaction: settlement.transaction } : {}),
    ...(settlement?.payer ? { payer: settlement.payer } : {}),
    ...(settled ? {} : { error: settlement?.errorReason ?? fallbackError }),
  };
}

function describe(result: PaidRequestResult): string {
  const head =
    `[${result.rail} agent] ${result.method} ${result.url} · ${result.price} on ${result.network}` +
    ` · HTTP ${result.status}`;
  if (result.settled) return `${head} · tx ${result.transaction} · payer ${result.payer}`;
  return `${head} · NOT PAID: ${result.error ?? 'no receipt'}`;
}

/** One request to `endpoint`, paid if the server asks; never throws. */
async function pay(client: PaymentClient, endpoint: PaidEndpointEntry): Promise<PaidRequestResult> {
  const base = {
    rail: endpoint.rail,
    network: endpoint.network,
    method: endpoint.method,
    url: endpoint.url,
  };
  const priceOf = (amount: string) => formatAmount(endpoint, amount);
  try {
    const response = await client.fetch(endpoint.url, { method: endpoint.method });
    // Read the body so the keep-alive connection is free for the next request.
    await response.arrayBuffer();
    const receipt = client.receiptOf(response);
    const settlement = receipt?.settlement;
    const requirements: Pick<PaymentRequirements, 'amount' | 'asset'> =
      receipt?.requirements ?? endpoint;
    return {
      ...base,
      status: response.status,
      amount: requirements.amount,
      asset: requirements.asset,
      price: priceOf(requirements.amount),
      ...settlementOutcome(
        response.ok,
        settlement,
        receipt?.error ?? `HTTP ${response.status} without a payment`,
      ),
    };
  } catch (error) {
    return {
      ...base,
      status: 0,
      amount: endpoint.amount,
      asset: endpoint.asset,
      price: priceOf(endpoint.amount),
      settled: false,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

function describeCall(result: McpCallResult): string {
  const head =
    `[${result.rail} agent] MCP ${result.tool} ${JSON.stringify(result.arguments)} at ${result.url}` +
    ` · ${result.price} on ${result.network}`;
  if (result.settled) {
    return `${head} · "${result.text}" · tx ${result.transaction} · payer ${result.payer}`;
  }
  return `${head} · NOT PAID: ${result.error ?? 'no receipt'}`;
}

/** The paying MCP client of the agent of `rail`, connected to `url` (close the `Client` after). */
export async function connectMcpAgent(
  rail: AgentRail,
  url: string,
): Promise<{ client: Client; paying: PayingMcpClient }> {
  const client = new Client({ name: `x402-rails-playground-${rail.name}-agent`, version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const paying = createPayingMcpClient(client, {
    schemes: [rail.agent.client],
    policy: agentPolicy(rail),
  });
  return { client, paying };
}

/** One call of `tool` through `paying`, paid on `rail`; never throws. */
async function callTool(
  paying: PayingMcpClient,
  rail: AgentRail,
  tool: McpEndpointEntry,
  args: Record<string, unknown>,
): Promise<McpCallResult> {
  const offer = tool.rails.find((entry) => entry.rail === rail.name);
  const advertised = offer ?? { amount: '0', asset: rail.asset.id };
  const base = {
    rail: rail.name,
    network: rail.network,
    url: tool.url,
    tool: tool.tool,
    arguments: args,
  };
  try {
    const { result, receipt } = await paying.callTool({ name: tool.tool, arguments: args });
    const settlement = receipt?.settlement;
    const requirements = receipt?.requirements ?? advertised;
    const first = result.content[0];
    const text = first?.type === 'text' ? first.text : undefined;
    return {
      ...base,
      amount: requirements.amount,
      asset: requirements.asset,
      price: formatAmount(rail.asset, requirements.amount),
      ...(text !== undefined ? { text } : {}),
      ...settlementOutcome(
        !result.isError,
        settlement,
        receipt?.error ?? (result.isError ? `tool error: ${text ?? 'no content'}` : 'no payment'),
      ),
    };
  } catch (error) {
    return {
      ...base,
      amount: advertised.amount,
      asset: advertised.asset,
      price: formatAmount(rail.asset, advertised.amount),
      settled: false,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** The agent of `rail` calls each paid MCP tool `callsPerTool` times, over a connection per tool. */
export async function runMcpAgent(
  rail: AgentRail,
  tools: readonly McpEndpointEntry[],
  options: AgentOptions = {},
): Promise<McpCallResult[]> {
  const log = options.log ?? (() => {});
  const results: McpCallResult[] = [];
  const report = (result: McpCallResult) => {
    results.push(result);
    log(describeCall(result));
  };
  for (const tool of tools) {
    // A tool priced below what this rail can charge (a card minimum) is not offered on it.
    if (!tool.rails.some((entry) => entry.rail === rail.name)) continue;
    const args = tool.tool === WEATHER_TOOL.name ? { ...WEATHER_TOOL.exampleArguments } : {};
    let connection: Awaited<ReturnType<typeof connectMcpAgent>>;
    try {
      connection = await connectMcpAgent(rail, tool.url);
    } catch (error) {
      const offer = tool.rails.find((entry) => entry.rail === rail.name);
      report({
        rail: rail.name,
        network: rail.network,
        url: tool.url,
        tool: tool.tool,
        arguments: args,
        amount: offer?.amount ?? '0',
        asset: offer?.asset ?? rail.asset.id,
        price: formatAmount(rail.asset, offer?.amount ?? '0'),
        settled: false,
        error: `could not connect: ${error instanceof Error ? error.message : String(error)}`,
      });
      continue;
    }
    try {
      for (let round = 0; round < (options.callsPerTool ?? 1); round++) {
        report(await callTool(connection.paying, rail, tool, args));
      }
    } finally {
      await connection.client.close();
    }
  }
  return results;
}

/**
 * The agent of `rail` prepares (the deferred agent funds its channel), then calls each of the
 * rail's endpoints `rounds` times, round-robin.
 */
export async function runRailAgent(
  rail: AgentRail,
  endpoints: readonly PaidEndpointEntry[],
  options: AgentOptions = {},
): Promise<PaidRequestResult[]> {
  const log = options.log ?? (() => {});
  const client = createAgentClient(rail);
  const own = endpoints.filter((endpoint) => endpoint.rail === rail.name);
  const results: PaidRequestResult[] = [];
  if (own.length > 0 && rail.prepareAgent) {
    try {
      const done = await rail.prepareAgent();
      if (done) log(`[${rail.name} agent] ${done}`);
    } catch (error) {
      // The calls below then fail and say why; the other rails' agents still run.
      log(
        `[${rail.name} agent] could not prepare: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const rounds = options.requestsPerEndpoint ?? rail.agentCallsPerEndpoint ?? 3;
  for (let round = 0; round < rounds; round++) {
    for (const endpoint of own) {
      const result = await pay(client, endpoint);
      results.push(result);
      log(describe(result));
    }
  }
  return results;
}

/** Every rail's agent in turn (toy, then EVM; HTTP, then MCP), then the balances of both rails. */
export async function runAgents(
  playground: Pick<Playground, 'manifest' | 'rails' | 'balances'>,
  options: AgentOptions = {},
): Promise<AgentRun> {
  const log = options.log ?? (() => {});
  const requests: PaidRequestResult[] = [];
  const mcpCalls: McpCallResult[] = [];
  for (const rail of playground.rails) {
    requests.push(...(await runRailAgent(rail, playground.manifest.paidEndpoints, options)));
    mcpCalls.push(...(await runMcpAgent(rail, playground.manifest.mcp, options)));
  }
  const balances = await playground.balances();
  for (const rail of playground.rails) {
    const { agent, merchant } = balances[rail.name];
    log(
      `[${rail.name} agent] balances · agent ${formatAmount(rail.asset, agent)}` +
        ` · merchant ${formatAmount(rail.asset, merchant)}`,
    );
  }
  const allSettled =
    requests.every((request) => request.settled) && mcpCalls.every((call) => call.settled);
  return { requests, mcpCalls, allSettled, balances };
}
