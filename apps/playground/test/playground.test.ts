import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePaymentRequiredHeader } from '@x402-rails/core';
import { createPaymentClient } from '@x402-rails/core/client';
import { afterEach, describe, expect, it } from 'vitest';
import { runAgent } from '../src/agent.js';
import { parseCliArgs } from '../src/args.js';
import type { PlaygroundManifest } from '../src/manifest.js';
import { DEFAULT_AGENT_BALANCE, type Playground, startPlayground } from '../src/playground.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const LOOPBACK_URL = /^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/;

const started: Playground[] = [];
async function start(options: Parameters<typeof startPlayground>[0] = {}): Promise<Playground> {
  const playground = await startPlayground(options);
  started.push(playground);
  return playground;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((playground) => playground.close()));
});

/** A port that was free a moment ago (listen on 0, read it, let it go). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function endpointAt(manifest: PlaygroundManifest, path: string) {
  const endpoint = manifest.paidEndpoints.find(
    (candidate) => new URL(candidate.url).pathname === path,
  );
  if (!endpoint) throw new Error(`no paid endpoint ${path}`);
  return endpoint;
}

describe('startPlayground', () => {
  it('describes what it started, bound to 127.0.0.1 on real ports', async () => {
    const { manifest, agent, merchant } = await start();

    expect(manifest.version).toBe(1);
    expect(Number.isNaN(Date.parse(manifest.startedAt))).toBe(false);
    expect(manifest.api.url).toMatch(LOOPBACK_URL);
    expect(manifest.facilitator.url).toMatch(LOOPBACK_URL);
    expect(manifest.chains).toEqual([]);
    expect(manifest.rails).toEqual([
      expect.objectContaining({ name: 'toy', network: 'toy:local', rpc: null }),
    ]);
    expect(
      manifest.paidEndpoints.map((e) => [e.method, new URL(e.url).pathname, e.price, e.amount]),
    ).toEqual([
      ['GET', '/weather', '$0.001', '1000'],
      ['GET', '/joke', '$0.01', '10000'],
    ]);
    for (const endpoint of manifest.paidEndpoints) {
      expect(endpoint).toMatchObject({
        rail: 'toy',
        scheme: 'exact',
        network: 'toy:local',
        asset: 'TOY',
      });
      expect(endpoint.url.startsWith(`${manifest.api.url}/`)).toBe(true);
    }
    expect(manifest.wallets).toEqual([
      {
        rail: 'toy',
        role: 'agent',
        address: agent.wallet.address,
        secretKey: agent.wallet.secretKey,
        balance: DEFAULT_AGENT_BALANCE.toString(),
      },
      {
        rail: 'toy',
        role: 'merchant',
        address: merchant.address,
        secretKey: merchant.secretKey,
        balance: '0',
      },
    ]);

    // Both URLs answer: the API serves the manifest unpaid, the facilitator announces the toy rail.
    const served = await fetch(`${manifest.api.url}/`);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(JSON.stringify(manifest)));
    const supported = await fetch(`${manifest.facilitator.url}/supported`);
    expect(await supported.json()).toMatchObject({
      kinds: [{ x402Version: 2, scheme: 'exact', network: 'toy:local' }],
    });
  });

  it('binds the paid API to --port', async () => {
    const port = await freePort();
    const { manifest } = await start({ port });
    expect(manifest.api.url).toBe(`http://127.0.0.1:${port}`);
  });

  it('answers an unpaid request to a paid endpoint with 402 and PAYMENT-REQUIRED', async () => {
    const { manifest, merchant } = await start();
    const weather = endpointAt(manifest, '/weather');

    const response = await fetch(weather.url);
    expect(response.status).toBe(402);
    const header = response.headers.get('payment-required');
    expect(header).toBeTruthy();
    const required = decodePaymentRequiredHeader(header ?? '');
    expect(required.resource.url).toBe(weather.url);
    expect(required.accepts).toEqual([
      expect.objectContaining({
        scheme: 'exact',
        network: 'toy:local',
        amount: '1000',
        asset: 'TOY',
        payTo: merchant.address,
      }),
    ]);
  });

  it('moves exactly the price from agent to merchant for one paid request', async () => {
    const playground = await start();
    const joke = endpointAt(playground.manifest, '/joke');
    const client = createPaymentClient({
      schemes: [playground.agent.client],
      policy: { maxPerRequest: { TOY: '100000' } },
    });

    const before = playground.balances();
    const response = await client.fetch(joke.url);
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty('joke');
    const after = playground.balances();

    const receipt = client.receiptOf(response);
    expect(receipt?.settlement).toMatchObject({
      success: true,
      payer: playground.agent.wallet.address,
      network: 'toy:local',
    });
    expect(receipt?.settlement?.transaction).toMatch(/^[0-9a-f]{64}$/);
    expect(playground.rail.chain.transfers.map((t) => t.id)).toContain(
      receipt?.settlement?.transaction,
    );
    expect(before.agent - after.agent).toBe(10_000n);
    expect(after.merchant - before.merchant).toBe(10_000n);
  });
});

describe('runAgent', () => {
  it('pays every endpoint, each with a receipt, and balances move by the sum of the prices', async () => {
    const playground = await start();
    const lines: string[] = [];

    const run = await runAgent(playground, {
      requestsPerEndpoint: 2,
      log: (line) => lines.push(line),
    });

    expect(run.requests).toHaveLength(4);
    expect(run.allSettled).toBe(true);
    for (const request of run.requests) {
      expect(request).toMatchObject({
        status: 200,
        settled: true,
        payer: playground.agent.wallet.address,
      });
      expect(request.transaction).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(run.requests.map((r) => r.transaction)).size).toBe(4);
    expect(run.requests.map((r) => r.price)).toEqual([
      '0.001 TOY',
      '0.01 TOY',
      '0.001 TOY',
      '0.01 TOY',
    ]);

    const paid = run.requests.reduce((sum, request) => sum + BigInt(request.amount), 0n);
    expect(paid).toBe(22_000n);
    expect(run.balances).toEqual({ agent: DEFAULT_AGENT_BALANCE - paid, merchant: paid });
    expect(playground.balances()).toEqual(run.balances);

    const weatherLine = lines.find((line) => line.includes('/weather'));
    expect(weatherLine).toContain('0.001 TOY');
    expect(weatherLine).toContain('HTTP 200');
    expect(weatherLine).toContain(`tx ${run.requests[0]?.transaction}`);
    expect(lines.at(-1)).toBe('[agent] balances · agent 9.978 TOY · merchant 0.022 TOY');
  });

  it('reports a request it could not pay instead of throwing', async () => {
    const playground = await start({ agentBalance: 5_000n });

    const run = await runAgent(playground, { requestsPerEndpoint: 1 });

    expect(run.allSettled).toBe(false);
    expect(run.requests[0]).toMatchObject({ status: 200, settled: true });
    expect(run.requests[1]).toMatchObject({ settled: false, amount: '10000' });
    expect(run.requests[1]?.status).not.toBe(200);
    expect(run.balances).toEqual({ agent: 4_000n, merchant: 1_000n });
  });
});

describe('parseCliArgs', () => {
  it('reads the flags, and skips the `--` a script runner forwards', () => {
    expect(
      parseCliArgs(['--', '--once', '--json', '--manifest', 'x.json', '--port', '4021']),
    ).toEqual({
      json: true,
      once: true,
      manifestPath: 'x.json',
      port: 4021,
      help: false,
    });
    expect(parseCliArgs([])).toMatchObject({
      json: false,
      once: false,
      manifestPath: '.playground/manifest.json',
      port: 0,
    });
  });

  it('refuses unknown flags and bad ports', () => {
    expect(() => parseCliArgs(['--nope'])).toThrow();
    expect(() => parseCliArgs(['--port', '-1'])).toThrow(/--port/);
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(/--port/);
  });
});

describe('the CLI', () => {
  it('with --once --json prints one JSON document on stdout, the manifest it wrote', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'x402-playground-'));
    try {
      const manifestPath = join(dir, 'm.json');
      // Workspace packages resolve to their src (`source` condition), so no build is needed.
      const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>(
        (resolve, reject) => {
          execFile(
            process.execPath,
            [
              '--conditions=source',
              '--import',
              'tsx',
              'src/cli.ts',
              '--once',
              '--json',
              '--manifest',
              manifestPath,
            ],
            { cwd: appDir, timeout: 20_000, killSignal: 'SIGKILL' },
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
      expect(printed.paidEndpoints).toHaveLength(2);
      expect(stderr).toContain(`manifest    ${manifestPath}`);
      expect(
        stderr.match(/^\[agent\] GET .* HTTP 200 · tx [0-9a-f]{64} · payer [0-9a-f]{64}$/gm),
      ).toHaveLength(6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
