/**
 * `pnpm bench` — prints one JSON line per driver and measure:
 *   - claims per second: sequential, and 16 at a time (distinct payment ids, each claim one write);
 *   - settlement round trips per second: begin + complete, sequential.
 * Drivers: memory, PGlite in memory, PGlite on disk (a temp dir), and Postgres: DATABASE_URL, or
 * a throwaway cluster started with the tests' helper (durable settings: fsync on), or skipped.
 * Run with `node --conditions=source` (the script does) so workspace packages load from src.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PaymentClaim, SettlementEntry } from '@x402-rails/core';
import { openStore, type Store, type StoreConfig } from '../src/index.js';
import { findPostgresBin, startPostgresCluster } from '../test/postgres-cluster.js';

const N = Number(process.env['BENCH_OPS'] ?? 2_000);
const CONCURRENCY = 16;

const print = (line: Record<string, unknown>) => console.log(JSON.stringify(line));
const perSecond = (n: number, ms: number) => Math.round((n * 1000) / ms);

let run = 0;
const claimFor = (paymentId: string): PaymentClaim => ({
  paymentId,
  scheme: 'exact',
  network: 'eip155:8453',
  asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  amount: '10000',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  resource: 'https://api.example.com/weather',
});
const entryFor = (key: string): SettlementEntry => {
  const requirements = {
    scheme: 'exact',
    network: 'eip155:8453' as const,
    amount: '10000',
    asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
    maxTimeoutSeconds: 60,
  };
  return {
    key,
    scheme: 'exact',
    network: 'eip155:8453',
    payload: {
      x402Version: 2,
      accepted: requirements,
      payload: { signature: `0x${'ab'.repeat(65)}`, authorization: { nonce: key } },
    },
    requirements,
  };
};

async function timed(n: number, concurrency: number, op: (i: number) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < n) await op(next++);
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - start;
}

async function bench(name: string, config: StoreConfig) {
  const openStart = performance.now();
  const store: Store = await openStore(config);
  const openMs = performance.now() - openStart;
  const prefix = `${name}-${run++}-${Date.now()}`;
  try {
    // Warm-up: plans cached, pool connections open.
    await timed(100, CONCURRENCY, (i) => store.payments.claim(claimFor(`${prefix}-warm-${i}`)));
    const sequential = await timed(N, 1, (i) => store.payments.claim(claimFor(`${prefix}-s-${i}`)));
    const parallel = await timed(N, CONCURRENCY, (i) =>
      store.payments.claim(claimFor(`${prefix}-c-${i}`)),
    );
    const settle = await timed(N, 1, async (i) => {
      const key = `${prefix}-k-${i}`;
      await store.settlements.begin(entryFor(key), 60_000);
      await store.settlements.complete(key, {
        success: true,
        transaction: `0x${i.toString(16)}`,
        network: 'eip155:8453',
      });
    });
    const base = { bench: 'store', driver: name, ops: N, open_ms: Math.round(openMs) };
    print({ ...base, measure: 'claims_per_s', concurrency: 1, value: perSecond(N, sequential) });
    print({
      ...base,
      measure: 'claims_per_s',
      concurrency: CONCURRENCY,
      value: perSecond(N, parallel),
    });
    print({
      ...base,
      measure: 'settle_round_trips_per_s',
      concurrency: 1,
      value: perSecond(N, settle),
    });
  } finally {
    await store.close();
  }
}

async function main() {
  print({ bench: 'store', node: process.version, ops: N, concurrency: CONCURRENCY });
  await bench('memory', { driver: 'memory' });
  await bench('pglite-memory', { driver: 'pglite' });
  const dir = await mkdtemp(join(tmpdir(), 'x402-store-bench-'));
  try {
    await bench('pglite-disk', { driver: 'pglite', dataDir: dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const given = process.env['DATABASE_URL'];
  if (given) {
    await bench('postgres', { driver: 'postgres', url: given });
  } else if (findPostgresBin()) {
    // Durable settings (fsync on), as a deployment runs: the figure includes the commit flush.
    const cluster = await startPostgresCluster({ fast: false, database: 'x402_bench' });
    try {
      await bench('postgres', { driver: 'postgres', url: cluster.url });
    } finally {
      await cluster.stop();
    }
  } else {
    print({ bench: 'store', driver: 'postgres', skipped: 'no DATABASE_URL and no initdb' });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
