/**
 * Starts the whole playground: the toy rail and the EVM rail (an Anvil chain), and on request the
 * deferred (vouchers on that chain's escrow), Stripe and Solana rails, with an agent and a
 * merchant wallet each, the facilitator server, the paid API server (with `POST /redeem` for the
 * deferred rail), the paid MCP server, and the manifest describing them. Closing stops the
 * servers, then the chain.
 */
import { parseMoney } from '@x402-rails/core';
import type { FetchServer } from '@x402-rails/core/node';
import {
  CARD_ROUTES,
  PAID_ROUTES,
  type PaidRouteSpec,
  type PaidToolSpec,
  WEATHER_TOOL,
} from './catalog.js';
import { describeEvent } from './events.js';
import type {
  McpEndpointEntry,
  PaidEndpointEntry,
  PlaygroundManifest,
  RailName,
} from './manifest.js';
import { type DeferredPlaygroundRail, startDeferredPlaygroundRail } from './rails/deferred.js';
import { type EvmPlaygroundRail, startEvmPlaygroundRail } from './rails/evm.js';
import type { Balances, PlaygroundRail } from './rails/rail.js';
import { type SolanaPlaygroundRail, startSolanaPlaygroundRail } from './rails/solana.js';
import { type StripePlaygroundRail, startStripePlaygroundRail } from './rails/stripe.js';
import { createToyPlaygroundRail, type ToyPlaygroundRail } from './rails/toy.js';
import {
  MCP_PATH,
  railsFor,
  startApiServer,
  startFacilitatorServer,
  startMcpServer,
} from './servers.js';

/** Where the paid API runs one batch redemption of the deferred rail, on `POST`. */
export const REDEEM_PATH = '/redeem';

/** 10 TOY and 10 test USDC (both 6 decimals). */
export const DEFAULT_AGENT_BALANCE = 10_000_000n;

export interface PlaygroundOptions {
  /** Port of the paid API (default 0: a free one). The facilitator always takes a free port. */
  port?: number;
  /** What each agent holds at start, in atomic units (TOY on the toy rail, USDC on the EVM one). */
  agentBalance?: bigint;
  routes?: readonly PaidRouteSpec[];
  /** The paid MCP tools (default: `weather`, $0.01). */
  tools?: readonly PaidToolSpec[];
  /** Human-readable lines about what the servers do. */
  log?: (line: string) => void;
  /**
   * Also start the Stripe card rail on a local Stripe double, and the card-priced routes
   * (`CARD_ROUTES`, at Stripe's $0.50 minimum) that it and every other rail accept.
   */
  stripe?: boolean;
  /** Also start the Solana rail on a local LiteSVM JSON-RPC server (every paid route accepts it). */
  solana?: boolean;
  /**
   * Also start the deferred rail (batch-settlement vouchers on the EVM rail's chain, with the
   * escrow deployed there; every paid route accepts it) and `POST /redeem` on the paid API.
   */
  deferred?: boolean;
}

export interface Playground {
  readonly manifest: PlaygroundManifest;
  readonly toy: ToyPlaygroundRail;
  readonly evm: EvmPlaygroundRail;
  /** The deferred rail, when started with `deferred: true`. */
  readonly deferred?: DeferredPlaygroundRail;
  /** The Stripe card rail, when started with `stripe: true`. */
  readonly stripe?: StripePlaygroundRail;
  /** The Solana rail, when started with `solana: true`. */
  readonly solana?: SolanaPlaygroundRail;
  /** Both rails, in the order every paid route offers them. */
  readonly rails: readonly PlaygroundRail[];
  /** Current balances per rail, in atomic units (the EVM ones read on chain). */
  balances(): Promise<Record<RailName, Balances>>;
  /** Closes both servers, then stops the chain; safe to call more than once. */
  close(): Promise<void>;
}

function paidEndpoints(
  rails: readonly PlaygroundRail[],
  routes: readonly PaidRouteSpec[],
  apiUrl: string,
): PaidEndpointEntry[] {
  return rails.flatMap((rail) =>
    routes
      .filter((route) => rail.acceptsPrice?.(route.price) ?? true)
      .map((route) => ({
        rail: rail.name,
        scheme: rail.scheme,
        network: rail.network,
        method: route.method,
        url: `${apiUrl}${route.path}`,
        price: route.price,
        amount: parseMoney(route.price, rail.asset.decimals).toString(),
        asset: rail.asset.id,
        symbol: rail.asset.symbol,
        decimals: rail.asset.decimals,
        description: route.description,
      })),
  );
}

function mcpEndpoints(
  rails: readonly PlaygroundRail[],
  tools: readonly PaidToolSpec[],
  mcpUrl: string,
): McpEndpointEntry[] {
  return tools.map((tool) => ({
    url: mcpUrl,
    tool: tool.name,
    price: tool.price,
    description: tool.description,
    rails: railsFor(rails, tool.price).map((rail) => ({
      rail: rail.name,
      scheme: rail.scheme,
      network: rail.network,
      amount: parseMoney(tool.price, rail.asset.decimals).toString(),
      asset: rail.asset.id,
      symbol: rail.asset.symbol,
      decimals: rail.asset.decimals,
    })),
  }));
}

/** Runs every step in order, also after one failed, then rethrows the first failure. */
async function inOrder(steps: readonly (() => Promise<void>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) await step().catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw failures[0];
}

export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const routes = [...(options.routes ?? PAID_ROUTES), ...(options.stripe ? CARD_ROUTES : [])];
  const tools = options.tools ?? [WEATHER_TOOL];
  const log = options.log ?? (() => {});
  const agentBalance = options.agentBalance ?? DEFAULT_AGENT_BALANCE;
  const startedAt = new Date().toISOString();
  const toy = createToyPlaygroundRail(agentBalance);
  const evm = await startEvmPlaygroundRail(agentBalance);
  let deferred: DeferredPlaygroundRail | undefined;
  if (options.deferred) {
    try {
      deferred = await startDeferredPlaygroundRail(evm.chain, agentBalance);
    } catch (error) {
      await evm.stop();
      throw error;
    }
  }
  let stripe: StripePlaygroundRail | undefined;
  if (options.stripe) {
    try {
      stripe = await startStripePlaygroundRail();
    } catch (error) {
      await evm.stop();
      throw error;
    }
  }
  let solana: SolanaPlaygroundRail | undefined;
  if (options.solana) {
    try {
      solana = await startSolanaPlaygroundRail(agentBalance);
    } catch (error) {
      await inOrder([() => evm.stop(), async () => stripe?.stop()]);
      throw error;
    }
  }
  const rails: readonly PlaygroundRail[] = [
    toy,
    evm,
    ...(deferred ? [deferred] : []),
    ...(stripe ? [stripe] : []),
    ...(solana ? [solana] : []),
  ];
  const stopRails = () => inOrder(rails.map((rail) => () => rail.stop()));

  let facilitatorServer: FetchServer;
  try {
    facilitatorServer = await startFacilitatorServer(rails);
  } catch (error) {
    await stopRails();
    throw error;
  }
  let manifest: PlaygroundManifest | undefined;
  let apiServer: FetchServer;
  try {
    apiServer = await startApiServer({
      rails,
      facilitatorUrl: facilitatorServer.url,
      routes,
      port: options.port ?? 0,
      manifest: () => manifest,
      ...(deferred ? { actions: { [REDEEM_PATH]: () => deferred.redeem() } } : {}),
      onEvent: (event) => {
        const line = describeEvent(event, rails);
        if (line) log(line);
      },
    });
  } catch (error) {
    // The API port may be taken: do not leave the facilitator and the chain behind the error.
    await inOrder([() => facilitatorServer.close(), stopRails]);
    throw error;
  }

  let mcpServer: FetchServer;
  try {
    mcpServer = await startMcpServer({
      rails,
      facilitatorUrl: facilitatorServer.url,
      tools,
      onEvent: (event) => {
        const line = describeEvent(event, rails, 'mcp');
        if (line) log(line);
      },
    });
  } catch (error) {
    await inOrder([() => apiServer.close(), () => facilitatorServer.close(), stopRails]);
    throw error;
  }
  const mcpUrl = `${mcpServer.url}${MCP_PATH}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    // The paid servers first: they still need the facilitator (and the chain) to settle in-flight
    // requests.
    closing ??= inOrder([
      () => apiServer.close(),
      () => mcpServer.close(),
      () => facilitatorServer.close(),
      stopRails,
    ]);
    return closing;
  };

  try {
    const described = await Promise.all(rails.map((rail) => rail.describe()));
    manifest = {
      version: 1,
      startedAt,
      api: { url: apiServer.url },
      paidEndpoints: paidEndpoints(rails, routes, apiServer.url),
      mcp: mcpEndpoints(rails, tools, mcpUrl),
      facilitator: { url: facilitatorServer.url },
      ...(deferred
        ? { redeem: { method: 'POST' as const, url: `${apiServer.url}${REDEEM_PATH}` } }
        : {}),
      chains: described.flatMap((d) => d.chains),
      rails: described.map((d) => d.rail),
      wallets: described.flatMap((d) => d.wallets),
    };
  } catch (error) {
    await close();
    throw error;
  }

  return {
    manifest,
    toy,
    evm,
    ...(deferred ? { deferred } : {}),
    ...(stripe ? { stripe } : {}),
    ...(solana ? { solana } : {}),
    rails,
    async balances() {
      const [toyBalances, evmBalances, deferredBalances, stripeBalances, solanaBalances] =
        await Promise.all([
          toy.balances(),
          evm.balances(),
          deferred?.balances(),
          stripe?.balances(),
          solana?.balances(),
        ]);
      // The Stripe entry is there only when its rail is (`balances[rail.name]` over `rails`).
      return {
        toy: toyBalances,
        evm: evmBalances,
        ...(deferredBalances ? { deferred: deferredBalances } : {}),
        ...(stripeBalances ? { stripe: stripeBalances } : {}),
        ...(solanaBalances ? { solana: solanaBalances } : {}),
      } as Record<RailName, Balances>;
    },
    close,
  };
}
