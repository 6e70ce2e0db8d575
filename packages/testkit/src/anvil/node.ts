/**
 * Starts a local Anvil node for tests and the playground: the binary from the npm package
 * `@foundry-rs/anvil` run directly (not through its npx wrapper, which would leave the node
 * running when killed), bound to 127.0.0.1 on a free port, stopped by its pid. A watchdog shell
 * kills the node if this process dies without stopping it (crash, SIGKILL), so no node outlives
 * its test run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface AnvilOptions {
  /** Chain id (default 31337). */
  chainId?: number;
  /** Seconds between blocks; default: automine (a block per transaction). */
  blockTime?: number;
  /** Extra command-line arguments. */
  args?: readonly string[];
  /** The anvil binary (default: `ANVIL_BINARY`, else the one `@foundry-rs/anvil` installed). */
  binary?: string;
  /** How long to wait for the node to answer (default 20 s). */
  startTimeoutMs?: number;
}

export interface AnvilNode {
  readonly rpcUrl: string;
  readonly port: number;
  /** The pid of the anvil process itself. */
  readonly pid: number;
  readonly chainId: number;
  /** Sends one JSON-RPC request (for anvil_* and evm_* methods). */
  rpc<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
  /** Kills the node by its pid and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

/** The path of the anvil binary shipped by `@foundry-rs/anvil`'s platform package. */
export function anvilBinaryPath(): string {
  const fromEnv = process.env['ANVIL_BINARY'];
  if (fromEnv) return fromEnv;
  const platformPackage = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (!platformPackage)
    throw new Error(`Anvil has no binary for ${process.platform}-${process.arch}`);
  // The platform package is a dependency of @foundry-rs/anvil: resolve it from there.
  const require = createRequire(import.meta.url);
  const wrapper = require.resolve('@foundry-rs/anvil/package.json');
  const fromWrapper = createRequire(wrapper);
  const dir = dirname(fromWrapper.resolve(`${platformPackage}/package.json`));
  const binary = join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(binary)) throw new Error(`The anvil binary is missing at ${binary}`);
  return binary;
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One JSON-RPC call to a chain node at `url`; an error answer throws with the method named. */
export async function jsonRpc<T>(
  url: string,
  method: string,
  params: readonly unknown[] = [],
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts Anvil on 127.0.0.1 at a free port and resolves once it answers JSON-RPC.
 *
 * @example
 * const anvil = await startAnvil();
 * try { console.log(await anvil.rpc('eth_chainId')); } finally { await anvil.stop(); }
 */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilNode> {
  const binary = options.binary ?? anvilBinaryPath();
  const chainId = options.chainId ?? 31337;
  let lastError: unknown;
  // Another process may take the port between the probe and anvil's bind: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      return await launch(binary, port, chainId, options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function launch(
  binary: string,
  port: number,
  chainId: number,
  options: AnvilOptions,
): Promise<AnvilNode> {
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--chain-id',
    String(chainId),
    '--accounts',
    '1',
    '--silent',
    ...(options.blockTime !== undefined ? ['--block-time', String(options.blockTime)] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((resolve) => child.once('error', resolve));
    throw new Error(`Could not start anvil (${binary})`);
  }
  // The watchdog reads its stdin until EOF — which comes when this process exits, however it
  // exits — and then kills the node. Its own stdin end is closed by stop().
  const watchdog =
    process.platform === 'win32'
      ? undefined
      : spawn('/bin/sh', ['-c', `read _ignored; kill -9 ${pid} 2>/dev/null`], {
          stdio: ['pipe', 'ignore', 'ignore'],
        });
  child.unref();
  watchdog?.unref();
  for (const stream of [child.stderr, watchdog?.stdin]) {
    (stream as unknown as { unref?: () => void } | null | undefined)?.unref?.();
  }
  const onExit = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  };
  process.once('exit', onExit);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      process.off('exit', onExit);
      // Held while it dies: an unreferenced child would let the event loop end before its exit.
      child.ref();
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
      await exited(child);
      watchdog?.stdin?.end();
    })();
    return stopped;
  };

  const rpcUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`anvil exited at start (${child.exitCode ?? child.signalCode}): ${stderr}`);
    }
    try {
      const id = await jsonRpc<string>(rpcUrl, 'eth_chainId');
      if (Number(id) === chainId) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`anvil did not answer on ${rpcUrl} within the start timeout: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  return {
    rpcUrl,
    port,
    pid,
    chainId,
    rpc: (method, params = []) => jsonRpc(rpcUrl, method, params),
    stop,
  };
}
