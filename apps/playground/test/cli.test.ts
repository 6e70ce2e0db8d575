import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/args.js';
import type { PlaygroundManifest } from '../src/manifest.js';
import { ANVIL, appDir, EVM_ADDRESS, reachable } from './helpers.js';

describe('parseCliArgs', () => {
  it('reads the flags, and skips the `--` a script runner forwards', () => {
    expect(
      parseCliArgs([
        '--',
        '--once',
        '--json',
        '--manifest',
        'x.json',
        '--port',
        '4021',
        '--no-stripe',
        '--no-deferred',
        '--redeem',
      ]),
    ).toEqual({
      json: true,
      once: true,
      manifestPath: 'x.json',
      port: 4021,
      help: false,
      stripe: false,
      solana: true,
      deferred: false,
      redeem: true,
    });
    expect(parseCliArgs([])).toMatchObject({
      json: false,
      once: false,
      manifestPath: '.playground/manifest.json',
      port: 0,
      deferred: true,
      redeem: false,
    });
  });

  it('refuses unknown flags and bad ports', () => {
    expect(() => parseCliArgs(['--nope'])).toThrow();
    expect(() => parseCliArgs(['--port', '-1'])).toThrow(/--port/);
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(/--port/);
  });
});

describe('the CLI', () => {
  // Workspace packages resolve to their src (`source` condition), so no build is needed.
  const CLI = ['--conditions=source', '--import', 'tsx', 'src/cli.ts'];

  async function withTempDir(run: (dir: string) => Promise<void>) {
    const dir = await mkdtemp(join(tmpdir(), 'x402-playground-'));
    try {
      await run(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('with --once --json --redeem prints one JSON document on stdout, the manifest it wrote, redeems the vouchers, and stops the chain', async () => {
    await withTempDir(async (dir) => {
      const manifestPath = join(dir, 'm.json');
      const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>(
        (resolve, reject) => {
          execFile(
            process.execPath,
            [...CLI, '--once', '--json', '--redeem', '--manifest', manifestPath],
            { cwd: appDir, timeout: 60_000, killSignal: 'SIGKILL' },
            (error, out, err) =>
              error
                ? reject(Object.assign(error, { stderr: err }))
                : resolve({ stdout: out, stderr: err }),
          );
        },
      );

      const printed = JSON.parse(stdout) as PlaygroundManifest;
      const written = JSON.parse(await readFile(manifestPath, 'utf8')) as PlaygroundManifest;
      expect(printed).toEqual(written);
      expect(printed.version).toBe(1);
      // Every rail is on by default: toy, EVM and Solana on three routes, the card rail on the
      // $0.50 one, the deferred rail on the two tiny ones.
      expect(printed.paidEndpoints).toHaveLength(12);
      expect([...new Set(printed.paidEndpoints.map((e) => e.rail))]).toEqual([
        'toy',
        'evm',
        'deferred',
        'stripe',
        'solana',
      ]);
      expect(printed.redeem).toEqual({
        method: 'POST',
        url: `${printed.api.url}/redeem`,
      });
      expect(printed.mcp).toEqual([
        expect.objectContaining({
          url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:[0-9]+\/mcp$/),
          tool: 'weather',
          price: '$0.01',
        }),
      ]);
      expect(printed.chains).toEqual([
        expect.objectContaining({ rail: 'evm', network: ANVIL }),
        expect.objectContaining({ rail: 'solana', network: expect.stringMatching(/^solana:/) }),
      ]);
      expect(printed.wallets.filter((w) => w.rail === 'evm')).toEqual([
        expect.objectContaining({ role: 'agent', address: expect.stringMatching(EVM_ADDRESS) }),
        expect.objectContaining({ role: 'merchant', address: expect.stringMatching(EVM_ADDRESS) }),
      ]);
      expect(stderr).toContain(`manifest    ${manifestPath}`);
      expect(
        stderr.match(
          /^\[toy agent\] GET .* on toy:local · HTTP 200 · tx [0-9a-f]{64} · payer [0-9a-f]{64}$/gm,
        ),
      ).toHaveLength(9);
      expect(
        stderr.match(
          /^\[evm agent\] GET .* USDC on eip155:31337 · HTTP 200 · tx 0x[0-9a-f]{64} · payer 0x[0-9a-fA-F]{40}$/gm,
        ),
      ).toHaveLength(9);
      expect(
        stderr.match(
          /^\[solana agent\] GET .* USDC on solana:\w+ · HTTP 200 · tx \w{64,88} · payer \w{32,44}$/gm,
        ),
      ).toHaveLength(9);
      expect(
        stderr.match(
          /^\[stripe agent\] GET .*\/report · 0\.5 USD on stripe:test · HTTP 200 · tx pi_\w+ · payer /gm,
        ),
      ).toHaveLength(3);
      expect(
        stderr.match(
          /^\[toy agent\] MCP weather \{"city":"Oslo"\} at http:\/\/127\.0\.0\.1:[0-9]+\/mcp · 0\.01 TOY on toy:local · ".*" · tx [0-9a-f]{64} · payer [0-9a-f]{64}$/gm,
        ),
      ).toHaveLength(1);
      expect(
        stderr.match(
          /^\[evm agent\] MCP weather .* · 0\.01 USDC on eip155:31337 · ".*" · tx 0x[0-9a-f]{64} · payer 0x[0-9a-fA-F]{40}$/gm,
        ),
      ).toHaveLength(1);
      // The deferred agent: it funds its channel, then 25 calls per tiny route, vouchers only.
      expect(stderr).toMatch(
        /^\[deferred agent\] deposited 1000000 atomic test USDC into channel 0x[0-9a-f]{64}/m,
      );
      expect(
        stderr.match(
          /^\[deferred agent\] GET .* USDC on eip155:31337 · HTTP 200 · tx 0x[0-9a-f]{64}:[0-9]+ · payer 0x[0-9a-fA-F]{40}$/gm,
        ),
      ).toHaveLength(50);
      // --redeem: one claim of 25 × (0.001 + 0.01) over HTTP and 0.01 over MCP.
      expect(stderr).toMatch(
        /^\[deferred\] redeemed channel 0x[0-9a-f]{64} · payer 0x[0-9a-fA-F]{40} · collected 0\.285 USDC$/m,
      );
      expect(stderr).toMatch(
        /^\[deferred\] redemption confirmed · tx 0x[0-9a-f]{64} · collected 0\.285 USDC in one claim$/m,
      );
      expect(stderr.match(/^\[mcp\] settled mcp:\/\/tool\/weather · /gm)).toHaveLength(4);
      // 3 × (0.001 + 0.01 + 0.5) over HTTP and 0.01 over MCP, on every chain rail.
      expect(stderr).toContain('[evm agent] balances · agent 8.457 USDC · merchant 1.543 USDC');
      expect(stderr).toContain('[solana agent] balances · agent 8.457 USDC · merchant 1.543 USDC');
      expect(stderr).toContain('[stripe agent] balances · agent 98.5 USD · merchant 1.5 USD');
      // The chain went with the process.
      for (const chain of printed.chains) expect(await reachable(chain.rpcUrl)).toBe(false);
    });
  }, 90_000);

  /** Starts the CLI serving, and resolves once the agents are done and it says so. */
  async function serving(
    manifestPath: string,
  ): Promise<{ child: ChildProcess; output: () => string }> {
    const child = spawn(process.execPath, [...CLI, '--manifest', manifestPath], {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const append = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not serving in time:\n${output}`)), 60_000);
      child.stdout?.on('data', () => {
        if (output.includes('serving until Ctrl-C')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before serving:\n${output}`));
      });
    });
    return { child, output: () => output };
  }

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'on %s closes the servers, stops the chain and exits 0',
    async (signal) => {
      await withTempDir(async (dir) => {
        const manifestPath = join(dir, 'm.json');
        const { child, output } = await serving(manifestPath);
        try {
          const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as PlaygroundManifest;
          const rpcUrl = manifest.chains[0]?.rpcUrl ?? '';
          expect(await reachable(rpcUrl)).toBe(true);

          const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
          child.kill(signal);
          expect(await exit).toEqual([0, null]);
          expect(output()).toContain(`${signal}: closing the servers and stopping the chain`);
          expect(await reachable(rpcUrl)).toBe(false);
          expect(await reachable(manifest.api.url)).toBe(false);
        } finally {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
      });
    },
    90_000,
  );
});
