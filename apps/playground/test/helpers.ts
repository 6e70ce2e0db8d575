/** What the playground tests share: starting playgrounds (closed after each test) and probes. */

import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonRpc } from '@x402-rails/testkit/anvil';
import { afterEach } from 'vitest';
import type { PlaygroundManifest } from '../src/manifest.js';
import { type Playground, startPlayground } from '../src/playground.js';

export const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LOOPBACK_URL = /^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/;
export const TOY_TX = /^[0-9a-f]{64}$/;
export const EVM_TX = /^0x[0-9a-f]{64}$/;
export const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
export const ANVIL = 'eip155:31337';
/** keccak256("Transfer(address,address,uint256)") */
export const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

const started: Playground[] = [];
/** Starts a playground that is closed after the test. */
export async function start(
  options: Parameters<typeof startPlayground>[0] = {},
): Promise<Playground> {
  const playground = await startPlayground(options);
  started.push(playground);
  return playground;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((playground) => playground.close()));
});

/** A port that was free a moment ago (listen on 0, read it, let it go). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** One JSON-RPC call to a chain node. */
export const rpc = jsonRpc;

/** Whether anything still listens at `url` (a stopped server or Anvil refuses the connection). */
export const reachable = (url: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
  }).then(
    async (response) => {
      await response.arrayBuffer();
      return true;
    },
    () => false,
  );

/**
 * Anvil processes this test process started and has not stopped (Linux `pgrep`). Per file: the
 * default `forks` pool runs each test file in a process of its own.
 */
export function anvilChildren(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-x', 'anvil'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

export function endpointAt(manifest: PlaygroundManifest, rail: 'toy' | 'evm', path: string) {
  const endpoint = manifest.paidEndpoints.find(
    (candidate) => candidate.rail === rail && new URL(candidate.url).pathname === path,
  );
  if (!endpoint) throw new Error(`no paid endpoint ${path} on ${rail}`);
  return endpoint;
}
