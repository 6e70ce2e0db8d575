/**
 * The Solana network table: CAIP-2 ids (`solana:<first 32 characters of the genesis hash>`),
 * each with its USDC mint (6 decimals) and a default RPC URL.
 *
 * Sources: network ids from the x402 specification (`scheme_exact_svm.md`) and the Solana
 * cluster genesis hashes; USDC mints from Circle's published list of USDC addresses (Solana
 * mainnet `EPjF…Dt1v`, devnet `4zMM…JDncDU`). Circle publishes no USDC mint on Solana testnet
 * (`@x402/svm` reuses the devnet address there, which has no account on testnet), so testnet
 * has no default asset here: give one with `defineSolanaNetwork` or an explicit price asset.
 */

import { type Address, address, isAddress } from '@solana/kit';
import { ConfigError, type Network } from '@x402-rails/core';
import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from './programs.js';

export interface SolanaAsset {
  address: Address;
  symbol: string;
  decimals: number;
  /** Token or Token-2022 (default Token). */
  tokenProgram: Address;
}

export interface SolanaNetwork {
  id: Network;
  name: string;
  /** Default JSON-RPC endpoint (public clusters; a local chain gives its own). */
  rpcUrl?: string;
  /** The network's USDC (the default asset of a money price); absent where none is published. */
  usdc?: SolanaAsset;
}

export interface SolanaNetworkInput {
  /** The CAIP-2 id, or give `genesisHash` to derive it. */
  id?: string;
  genesisHash?: string;
  name?: string;
  rpcUrl?: string;
  /** The USDC-like default asset: a mint address (6 decimals, Token) or the full description. */
  usdc?:
    | string
    | { address: string; symbol?: string; decimals?: number; tokenProgram?: string | undefined };
}

const SOLANA_ID = /^solana:[1-9A-HJ-NP-Za-km-z]{32}$/;

function asset(
  at: string,
  symbol = 'USDC',
  decimals = 6,
  tokenProgram: Address = TOKEN_PROGRAM,
): SolanaAsset {
  return { address: address(at), symbol, decimals, tokenProgram };
}

export const SOLANA_NETWORKS = {
  mainnet: {
    id: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
    name: 'Solana',
    rpcUrl: 'https://api.mainnet-beta.solana.com',
    usdc: asset('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v'),
  },
  devnet: {
    id: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
    name: 'Solana Devnet',
    rpcUrl: 'https://api.devnet.solana.com',
    usdc: asset('4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU'),
  },
  testnet: {
    id: 'solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z',
    name: 'Solana Testnet',
    rpcUrl: 'https://api.testnet.solana.com',
  },
} as const satisfies Record<string, SolanaNetwork>;

/**
 * A custom or local network (or an override of a built-in one, keeping its other facts).
 *
 * @example
 * const local = defineSolanaNetwork({ genesisHash: chain.genesisHash, rpcUrl: chain.rpcUrl, usdc: chain.usdc });
 */
export function defineSolanaNetwork(input: SolanaNetworkInput): SolanaNetwork {
  const id = input.id ?? (input.genesisHash ? `solana:${input.genesisHash.slice(0, 32)}` : '');
  if (!SOLANA_ID.test(id))
    throw new ConfigError(
      `Solana network id ${id || '(none)'} must be solana:<first 32 characters of the genesis hash>`,
    );
  const base = Object.values(SOLANA_NETWORKS).find((n) => n.id === id) as SolanaNetwork | undefined;
  let usdc = base?.usdc;
  if (typeof input.usdc === 'string') {
    if (!isAddress(input.usdc)) throw new ConfigError(`USDC mint ${input.usdc} is not an address`);
    usdc = asset(input.usdc);
  } else if (input.usdc) {
    const u = input.usdc;
    if (!isAddress(u.address)) throw new ConfigError(`USDC mint ${u.address} is not an address`);
    const program = (u.tokenProgram ?? TOKEN_PROGRAM) as Address;
    if (program !== TOKEN_PROGRAM && program !== TOKEN_2022_PROGRAM)
      throw new ConfigError(`Token program ${program} is neither Token nor Token-2022`);
    const decimals = u.decimals ?? 6;
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18)
      throw new ConfigError(`Decimals ${decimals} out of range`);
    usdc = asset(u.address, u.symbol ?? 'USDC', decimals, program);
  }
  const rpcUrl = input.rpcUrl ?? base?.rpcUrl;
  return {
    id: id as Network,
    name: input.name ?? base?.name ?? id,
    ...(rpcUrl ? { rpcUrl } : {}),
    ...(usdc ? { usdc } : {}),
  };
}

/** The built-in networks plus custom ones (a custom entry replaces a built-in one with its id). */
export function solanaNetworkTable(
  custom: readonly (SolanaNetwork | SolanaNetworkInput)[] = [],
): Map<Network, SolanaNetwork> {
  const table = new Map<Network, SolanaNetwork>();
  for (const n of Object.values(SOLANA_NETWORKS)) table.set(n.id as Network, n);
  for (const n of custom) {
    const net = defineSolanaNetwork(n as SolanaNetworkInput);
    table.set(net.id, net);
  }
  return table;
}
