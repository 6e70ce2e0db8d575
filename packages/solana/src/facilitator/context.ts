/** The state the facilitator's parts share: networks with their RPC, fee-payer keys, caches. */

import type { Address } from '@solana/kit';
import { findAssociatedTokenPda } from '@solana-program/token';
import { ConfigError, type Network } from '@x402-rails/core';
import { createSolanaKey, type SolanaKey } from '../keys.js';
import { defineSolanaNetwork, type SolanaNetwork, type SolanaNetworkInput } from '../networks.js';
import { createHttpRpc, type SolanaRpc } from '../rpc.js';
import type { CheckPolicy } from './checks.js';
import type { SolanaExactFacilitatorOptions, SolanaFacilitatorNetwork } from './options.js';

export interface NetState {
  network: SolanaNetwork;
  rpc: SolanaRpc;
  pollIntervalMs: number;
}

export interface RailContext {
  options: SolanaExactFacilitatorOptions;
  nets: Map<Network, NetState>;
  keys: Map<string, SolanaKey>;
  policy: CheckPolicy;
  commitment: 'confirmed' | 'finalized';
  confirmTimeoutMs: number;
  /** Payments being settled by this process, by message digest. */
  inflight: Set<string>;
  /** The associated token account of (owner, mint, program): derivation is a hash search. */
  ataOf(owner: Address, mint: Address, tokenProgram: Address): Promise<Address>;
}

export const DEFAULT_MAX_COMPUTE_UNIT_PRICE = 5_000_000n;
export const DEFAULT_MAX_COMPUTE_UNIT_LIMIT = 40_000;
const MAX_CACHED_ATAS = 10_000;

export function createRailContext(options: SolanaExactFacilitatorOptions): RailContext {
  if (options.signers.length === 0) throw new ConfigError('At least one fee-payer key is required');
  const keys = new Map<string, SolanaKey>();
  for (const input of options.signers) {
    const key = createSolanaKey(input);
    keys.set(key.address, key);
  }
  const nets = new Map<Network, NetState>();
  for (const input of options.networks) {
    const n = input as SolanaFacilitatorNetwork;
    const network = defineSolanaNetwork(input as SolanaNetworkInput);
    const url = n.rpcUrl ?? network.rpcUrl;
    const rpc = n.rpc ?? (url ? createHttpRpc(url) : undefined);
    if (!rpc) throw new ConfigError(`Network ${network.id} needs an rpcUrl`);
    nets.set(network.id, { network, rpc, pollIntervalMs: n.pollIntervalMs ?? 400 });
  }
  if (nets.size === 0) throw new ConfigError('At least one network is required');
  const maxPrice = BigInt(options.maxComputeUnitPrice ?? DEFAULT_MAX_COMPUTE_UNIT_PRICE);
  const maxLimit = options.maxComputeUnitLimit ?? DEFAULT_MAX_COMPUTE_UNIT_LIMIT;
  if (maxPrice < 0n) throw new ConfigError('maxComputeUnitPrice must not be negative');
  if (!Number.isSafeInteger(maxLimit) || maxLimit < 1)
    throw new ConfigError('maxComputeUnitLimit must be a positive integer');
  const atas = new Map<string, Promise<Address>>();
  return {
    options,
    nets,
    keys,
    policy: {
      feePayers: new Set(keys.keys()),
      maxComputeUnitPrice: maxPrice,
      maxComputeUnitLimit: maxLimit,
    },
    commitment: options.commitment ?? 'confirmed',
    confirmTimeoutMs: options.confirmTimeoutMs ?? 60_000,
    inflight: new Set(),
    ataOf(owner, mint, tokenProgram) {
      const k = `${owner}:${mint}:${tokenProgram}`;
      let found = atas.get(k);
      if (!found) {
        found = findAssociatedTokenPda({ owner, mint, tokenProgram }).then(([a]) => a);
        if (atas.size >= MAX_CACHED_ATAS) atas.clear();
        atas.set(k, found);
        found.catch(() => atas.delete(k));
      }
      return found;
    },
  };
}
