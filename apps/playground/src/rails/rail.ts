/**
 * What the playground needs from a rail: its three roles, a funded agent and a merchant, their
 * balances, and its entries in the manifest. The servers, the agents and the manifest only see
 * this shape, so a rail is one file in this folder.
 */
import {
  formatAtomicAmount,
  type Network,
  type SchemeClient,
  type SchemeFacilitator,
  type SchemeServer,
} from '@x402-rails/core';
import type { ChainEntry, RailEntry, RailName, WalletEntry } from '../manifest.js';

export interface RailAsset {
  /** As in the payment requirements: `TOY`, or a token address. */
  id: string;
  symbol: string;
  decimals: number;
}

/** Atomic units of the rail's asset. */
export interface Balances {
  agent: bigint;
  merchant: bigint;
}

export interface RailDescription {
  rail: RailEntry;
  chains: ChainEntry[];
  wallets: WalletEntry[];
}

export interface PlaygroundRail {
  readonly name: RailName;
  readonly scheme: string;
  readonly network: Network;
  readonly asset: RailAsset;
  readonly server: SchemeServer;
  readonly facilitator: SchemeFacilitator;
  /** The agent's wallet address and the client role that pays with it. */
  readonly agent: { readonly address: string; readonly client: SchemeClient };
  /** Where this rail's payments go. */
  readonly merchant: { readonly address: string };
  /** Read from the rail's ledger (the toy chain, or the EVM chain's token). */
  balances(): Promise<Balances>;
  /** This rail's entries in the manifest, with the balances as they are now. */
  describe(): Promise<RailDescription>;
  /** Whether this rail can charge a human price (card rails have a minimum charge); default yes. */
  acceptsPrice?(price: string): boolean;
  /**
   * What the agent does once before its first paid call (the deferred agent funds its channel);
   * returns a line for the log, if anything was done.
   */
  prepareAgent?(): Promise<string | undefined>;
  /** Paid calls per endpoint of this rail's agent when the run does not say (default 3). */
  readonly agentCallsPerEndpoint?: number;
  /** Stops what the rail started (a chain node). Idempotent. */
  stop(): Promise<void>;
}

/** `1000` atomic → `0.001 TOY`. */
export function formatAmount(
  asset: Pick<RailAsset, 'symbol' | 'decimals'>,
  amount: string | bigint,
) {
  return `${formatAtomicAmount(amount, asset.decimals)} ${asset.symbol}`;
}
