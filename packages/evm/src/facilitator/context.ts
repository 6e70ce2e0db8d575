/**
 * What the facilitator's parts share: the options with their defaults resolved, the state kept per
 * network (RPC, receipt watcher, sending keys, what is known of each token) and the settlements
 * under way. Built once by `createRailContext`, then passed to precheck, the chain checks, settle
 * and status.
 */
import { ConfigError, type SettleResponse } from '@x402-rails/core';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { defineEvmNetwork, type EvmNetwork, MULTICALL3 } from '../networks.js';
import { createHttpRpc, type EvmRpc } from '../rpc.js';
import type { EvmExactFacilitatorOptions, EvmFacilitatorNetwork } from './options.js';
import { ReceiptWatcher } from './receipts.js';
import { type Fees, type SigningKey, TransactionSender } from './sender.js';

export interface AssetFacts {
  hasCode: boolean;
  /** The token's own domain, once read. */
  separator?: string;
  name?: string;
  version?: string;
}

export interface NetState {
  network: EvmNetwork;
  rpc: EvmRpc;
  watcher: ReceiptWatcher;
  sender: TransactionSender;
  chainChecked: boolean;
  assets: Map<string, AssetFacts>;
  multicall: Hex | null;
  fees?: { value: Omit<Fees, 'current'> & { baseFee: bigint }; at: number };
  /** Gas estimates of an EOA's transferWithAuthorization per token (the largest seen, refreshed). */
  gasEstimates: Map<string, { gas: bigint; at: number }>;
}

export interface RailContext {
  /** The options as given; the fields read on each call (acceptAnyAsset, maxFeePerGas, hooks…). */
  options: EvmExactFacilitatorOptions;
  /** Clock in milliseconds. */
  now: () => number;
  clockSkewSeconds: number;
  confirmations: number;
  receiptTimeoutMs: number;
  logLookbackBlocks: bigint;
  gasMarginPercent: bigint;
  /** Trusted EIP-6492 factories, lowercase. */
  factories: Set<string>;
  /** The facilitator's key addresses. */
  addresses: Hex[];
  /** The served networks, by CAIP-2 id. */
  nets: Map<string, NetState>;
  /** Settlements under way in this process, by payment id. */
  inflight: Map<string, Promise<SettleResponse>>;
  /** Broadcast transactions whose receipt has not been seen (timeouts), by payment id. */
  broadcast: Map<string, { hash: Hex; network: string }>;
}

export function createRailContext(options: EvmExactFacilitatorOptions): RailContext {
  if (options.signers.length === 0)
    throw new ConfigError('The EVM facilitator needs at least one signer');
  const keys: SigningKey[] = options.signers.map((s) =>
    typeof s === 'string' ? { account: privateKeyToAccount(s), privateKey: s } : { account: s },
  );
  const accounts = keys.map((k) => k.account);
  const now = options.now ?? Date.now;
  const clockSkewSeconds = options.clockSkewSeconds ?? 30;
  const confirmations = options.confirmations ?? 1;
  const receiptTimeoutMs = options.receiptTimeoutMs ?? 120_000;
  const logLookbackBlocks = BigInt(options.logLookbackBlocks ?? 50_000);
  const gasMarginPercent = BigInt(options.gasMarginPercent ?? 125);
  const factories = new Set((options.eip6492Factories ?? []).map((f) => f.toLowerCase()));
  const nets = new Map<string, NetState>();
  for (const config of options.networks) {
    const state = createNetState(config, keys);
    nets.set(state.network.id, state);
  }
  return {
    options,
    now,
    clockSkewSeconds,
    confirmations,
    receiptTimeoutMs,
    logLookbackBlocks,
    gasMarginPercent,
    factories,
    addresses: accounts.map((a) => a.address),
    nets,
    inflight: new Map(),
    broadcast: new Map(),
  };
}

function createNetState(config: EvmFacilitatorNetwork, keys: readonly SigningKey[]): NetState {
  const network = defineEvmNetwork(config);
  const rpc =
    config.rpc ??
    (config.rpcUrl
      ? createHttpRpc({ url: config.rpcUrl })
      : (() => {
          throw new ConfigError(`${network.id}: give rpcUrl or rpc`);
        })());
  const interval = config.pollingIntervalMs ?? Math.max(50, (network.blockTimeSeconds * 1000) / 4);
  return {
    network,
    rpc,
    watcher: new ReceiptWatcher(rpc, interval),
    sender: new TransactionSender(rpc, network.chainId, keys, config.sendRawTransactionSync),
    gasEstimates: new Map(),
    chainChecked: false,
    assets: new Map(),
    multicall: network.multicall3 === null ? null : (network.multicall3 ?? MULTICALL3),
  };
}
