/** The manifest: a JSON description of everything the playground started, and where it is written. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export const DEFAULT_MANIFEST_PATH = '.playground/manifest.json';

/**
 * The rails the playground runs: the in-memory toy ledger, USDC on a local EVM chain (Anvil),
 * deferred vouchers on that chain's escrow, cards on a Stripe double and USDC on a local Solana.
 */
export type RailName = 'toy' | 'evm' | 'deferred' | 'stripe' | 'solana';

/** One paid endpoint on one rail: each route appears once per rail it accepts. */
export interface PaidEndpointEntry {
  rail: RailName;
  scheme: string;
  network: string;
  method: string;
  url: string;
  /** Human price as configured, e.g. `$0.001`. */
  price: string;
  /** The same price in atomic units of `asset`. */
  amount: string;
  /** As in the payment requirements: `TOY`, or the EVM token's address. */
  asset: string;
  /** What people call the asset: `TOY`, `USDC`. */
  symbol: string;
  decimals: number;
  description: string;
}

/** One rail a paid MCP tool accepts, with the tool's price in that rail's asset. */
export interface McpToolRailEntry {
  rail: RailName;
  scheme: string;
  network: string;
  /** The price in atomic units of `asset`. */
  amount: string;
  asset: string;
  symbol: string;
  decimals: number;
}

/** A paid MCP tool, served over Streamable HTTP; every call pays on one of `rails`. */
export interface McpEndpointEntry {
  /** The MCP endpoint (Streamable HTTP, stateless): `http://127.0.0.1:<port>/mcp`. */
  url: string;
  tool: string;
  /** Human price as configured, e.g. `$0.01`. */
  price: string;
  description: string;
  /** In the order the tool's offers list them. */
  rails: McpToolRailEntry[];
}

/** A local chain node the playground started (and stops when it closes). */
export interface ChainEntry {
  rail: 'evm' | 'solana';
  network: string;
  rpcUrl: string;
  /** The test USDC the rail pays in (the EIP-3009 token, or the Solana mint). */
  token: string;
}

/** Each rail in use and where its ledger lives (`rpc: null` when it is inside this process). */
export interface RailEntry {
  name: RailName;
  network: string;
  rpc: string | null;
  note: string;
}

interface WalletBase {
  role: 'agent' | 'merchant';
  address: string;
  /** Atomic units of the rail's asset when the manifest was written (before the agents run). */
  balance: string;
}

export interface ToyWalletEntry extends WalletBase {
  rail: 'toy';
  /** Hex Ed25519 seed; only meaningful for the toy chain of this one process. */
  secretKey: string;
}

export interface EvmWalletEntry extends WalletBase {
  rail: 'evm';
  /** 0x secp256k1 key of a throwaway Anvil account. */
  privateKey: string;
}

/** A throwaway Anvil key of the deferred rail (the agent pays from its channel in the escrow). */
export interface DeferredWalletEntry extends WalletBase {
  rail: 'deferred';
  /** 0x secp256k1 key of a throwaway Anvil account. */
  privateKey: string;
}

/** The Stripe rail's agent is a test card (its fingerprint); its merchant a test account. */
export interface StripeWalletEntry extends WalletBase {
  rail: 'stripe';
  /** The agent's Stripe test card token (`tok_visa`). */
  token?: string;
  /** The merchant's keys on the local Stripe double. */
  secretKey?: string;
  publishableKey?: string;
}

/** A throwaway key pair on the local Solana (LiteSVM). */
export interface SolanaWalletEntry extends WalletBase {
  rail: 'solana';
  /** Hex of the 64-byte secret key (seed ‖ public key), as solana-keygen files hold it. */
  secretKey: string;
}

export type WalletEntry =
  | ToyWalletEntry
  | EvmWalletEntry
  | DeferredWalletEntry
  | StripeWalletEntry
  | SolanaWalletEntry;

export interface PlaygroundManifest {
  version: 1;
  startedAt: string;
  /** The paid API; `GET /` on it returns this manifest. */
  api: { url: string };
  paidEndpoints: PaidEndpointEntry[];
  /** Paid MCP tools; pay them with `@x402-rails/mcp`'s `createPayingMcpClient`. */
  mcp: McpEndpointEntry[];
  facilitator: { url: string };
  /**
   * With the deferred rail: `POST` here runs one batch redemption and answers what it collected
   * per channel (one claim transaction).
   */
  redeem?: { method: 'POST'; url: string };
  chains: ChainEntry[];
  rails: RailEntry[];
  wallets: WalletEntry[];
}

/** Writes the manifest as pretty JSON, creating folders; returns the absolute path written. */
export async function writeManifest(manifest: PlaygroundManifest, path: string): Promise<string> {
  const absolute = resolve(path);
  await mkdir(dirname(absolute), { recursive: true });
  await writeFile(absolute, `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  return absolute;
}
