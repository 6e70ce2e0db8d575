/** The manifest: a JSON description of everything the playground started, and where it is written. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export const DEFAULT_MANIFEST_PATH = '.playground/manifest.json';

export interface PaidEndpointEntry {
  rail: 'toy';
  scheme: string;
  network: string;
  method: string;
  url: string;
  /** Human price as configured, e.g. `$0.001`. */
  price: string;
  /** The same price in atomic units of `asset`. */
  amount: string;
  asset: string;
  decimals: number;
  description: string;
}

/** A local chain node the playground started; none so far, the toy rail lives in memory. */
export interface ChainEntry {
  name: string;
  network: string;
  rpc: string;
}

/** Each rail in use and where its ledger lives (`rpc: null` when it is inside this process). */
export interface RailEntry {
  name: string;
  network: string;
  rpc: string | null;
  note: string;
}

export interface WalletEntry {
  rail: 'toy';
  role: 'agent' | 'merchant';
  address: string;
  /** Hex Ed25519 seed; only meaningful for the toy chain of this one process. */
  secretKey: string;
  /** Atomic units when the manifest was written (before the agent runs). */
  balance: string;
}

export interface PlaygroundManifest {
  version: 1;
  startedAt: string;
  /** The paid API; `GET /` on it returns this manifest. */
  api: { url: string };
  paidEndpoints: PaidEndpointEntry[];
  facilitator: { url: string };
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
