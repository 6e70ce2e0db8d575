/**
 * Starts the whole playground: a toy rail with an agent and a merchant wallet, the facilitator
 * server, the paid API server, and the manifest describing them.
 */
import { formatAtomicAmount, parseMoney } from '@x402-rails/core';
import type { FetchServer } from '@x402-rails/core/node';
import type { PaymentEvent } from '@x402-rails/core/server';
import {
  createToyRail,
  createToyWallet,
  TOY_ASSET,
  TOY_DECIMALS,
  TOY_SCHEME,
  type ToyExactClient,
  type ToyRail,
  type ToyWallet,
} from '@x402-rails/testkit';
import { PAID_ROUTES, type PaidRouteSpec } from './catalog.js';
import type { PlaygroundManifest } from './manifest.js';
import { startApiServer, startFacilitatorServer } from './servers.js';

/** 10 TOY at 6 decimals. */
export const DEFAULT_AGENT_BALANCE = 10_000_000n;

export interface PlaygroundOptions {
  /** Port of the paid API (default 0: a free one). The facilitator always takes a free port. */
  port?: number;
  agentBalance?: bigint;
  routes?: readonly PaidRouteSpec[];
  /** Human-readable lines about what the servers do. */
  log?: (line: string) => void;
}

export interface Playground {
  readonly manifest: PlaygroundManifest;
  readonly rail: ToyRail;
  readonly agent: { readonly wallet: ToyWallet; readonly client: ToyExactClient };
  readonly merchant: ToyWallet;
  /** Current balances on the toy chain, in atomic units. */
  balances(): { agent: bigint; merchant: bigint };
  /** Closes both servers; safe to call more than once. */
  close(): Promise<void>;
}

/** The agent prints full ids; the server's echo of the same payment only needs to be recognisable. */
const shortId = (id: string) => (id.length > 16 ? `${id.slice(0, 12)}…` : id);

const formatToy = (amount: string | bigint) =>
  `${formatAtomicAmount(amount, TOY_DECIMALS)} ${TOY_ASSET}`;

/** Server-side view of payments, so requests from outside the playground show up too. */
function describeEvent(event: PaymentEvent): string | undefined {
  switch (event.type) {
    case 'settled':
      return `[api] settled ${event.resource} · ${formatToy(event.requirements.amount)} · tx ${shortId(event.settlement.transaction)}`;
    case 'rejected':
      return `[api] rejected ${event.resource} · ${event.reason} (HTTP ${event.status})`;
    case 'settle_failed':
      return `[api] settlement failed ${event.resource} · ${event.reason}`;
    default:
      return undefined;
  }
}

export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const routes = options.routes ?? PAID_ROUTES;
  const log = options.log ?? (() => {});
  const rail = createToyRail();
  const agent = rail.fundedClient(options.agentBalance ?? DEFAULT_AGENT_BALANCE);
  const merchant = createToyWallet();
  const startedAt = new Date().toISOString();

  const facilitatorServer = await startFacilitatorServer(rail);
  let manifest: PlaygroundManifest | undefined;
  let apiServer: FetchServer;
  try {
    apiServer = await startApiServer({
      rail,
      facilitatorUrl: facilitatorServer.url,
      routes,
      payTo: merchant.address,
      port: options.port ?? 0,
      manifest: () => manifest,
      onEvent: (event) => {
        const line = describeEvent(event);
        if (line) log(line);
      },
    });
  } catch (error) {
    // The API port may be taken: do not leave the facilitator running behind the error.
    await facilitatorServer.close();
    throw error;
  }

  manifest = {
    version: 1,
    startedAt,
    api: { url: apiServer.url },
    paidEndpoints: routes.map((route) => ({
      rail: 'toy',
      scheme: TOY_SCHEME,
      network: rail.network,
      method: route.method,
      url: `${apiServer.url}${route.path}`,
      price: route.price,
      amount: parseMoney(route.price, TOY_DECIMALS).toString(),
      asset: TOY_ASSET,
      decimals: TOY_DECIMALS,
      description: route.description,
    })),
    facilitator: { url: facilitatorServer.url },
    chains: [],
    rails: [
      {
        name: 'toy',
        network: rail.network,
        rpc: null,
        note: 'In-memory ledger inside the playground process; no chain node to connect to.',
      },
    ],
    wallets: [
      {
        rail: 'toy',
        role: 'agent',
        address: agent.wallet.address,
        secretKey: agent.wallet.secretKey,
        balance: rail.chain.balanceOf(agent.wallet.address).toString(),
      },
      {
        rail: 'toy',
        role: 'merchant',
        address: merchant.address,
        secretKey: merchant.secretKey,
        balance: rail.chain.balanceOf(merchant.address).toString(),
      },
    ],
  };

  let closing: Promise<void> | undefined;
  return {
    manifest,
    rail,
    agent,
    merchant,
    balances: () => ({
      agent: rail.chain.balanceOf(agent.wallet.address),
      merchant: rail.chain.balanceOf(merchant.address),
    }),
    close() {
      // The API first: it still needs the facilitator to finish settling in-flight requests.
      closing ??= apiServer.close().finally(() => facilitatorServer.close());
      return closing;
    },
  };
}
