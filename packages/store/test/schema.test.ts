/**
 * The SQL schema and its migrations on PGlite and Postgres: applied once however often (or
 * however concurrently) a database is opened, in one transaction, refused when edited; a PGlite
 * data directory that survives close and reopen; the reserved vouchers table; and the promise
 * that a memory store never loads PGlite or pg.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openPglite } from '../src/drivers/pglite.js';
import { openPostgres } from '../src/drivers/postgres.js';
import { MIGRATIONS, openStore, type Store } from '../src/index.js';
import type { SqlDatabase } from '../src/sql/client.js';
import { migrate } from '../src/sql/migrate.js';
import {
  claimFor,
  cleanup,
  entryFor,
  failedSettlement,
  freshDatabaseUrl,
  NO_POSTGRES,
  rejectionOf,
  settled,
  testClock,
} from './harness.js';

const dirs: string[] = [];
afterAll(async () => {
  await cleanup();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'x402-store-test-'));
  dirs.push(dir);
  return dir;
}

/** Rows in every shape: payments in three states with patches, settlements with results. */
async function writeSome(store: Store) {
  await store.payments.claim(claimFor('p-claimed'));
  await store.payments.claim(claimFor('p-settled'));
  await store.payments.transition('p-settled', 'claimed', 'verified', { payer: '0xpayer' });
  await store.payments.transition('p-settled', 'verified', 'settled', { transaction: '0xtx' });
  await store.payments.claim(claimFor('p-released'));
  await store.payments.transition('p-released', 'claimed', 'released', { reason: 'nope' });
  await store.settlements.begin(entryFor('s-settled'), 60_000);
  await store.settlements.complete('s-settled', settled());
  await store.settlements.begin(entryFor('s-failed'), 60_000);
  await store.settlements.complete('s-failed', failedSettlement());
  await store.settlements.begin(entryFor('s-pending'), 60_000);
}

async function readSome(store: Store) {
  return {
    payments: await Promise.all(
      ['p-claimed', 'p-settled', 'p-released'].map((id) => store.payments.get(id)),
    ),
    settlements: await Promise.all(
      ['s-settled', 's-failed', 's-pending'].map((key) => store.settlements.get(key)),
    ),
  };
}

const versions = async (db: SqlDatabase) =>
  (
    await db.query<{ version: number; name: string }>(
      'SELECT version, name FROM x402_schema_migrations ORDER BY version',
    )
  ).map((row) => ({ version: Number(row.version), name: row.name }));

const expectedVersions = MIGRATIONS.map(({ version, name }) => ({ version, name }));

/** The schema checks every SQL database must pass, on a raw connection to it. */
function schemaChecks(connect: () => Promise<SqlDatabase>) {
  it('records each migration once, however often it runs', async () => {
    const db = await connect();
    try {
      expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(db)).toEqual([]);
      expect(await versions(db)).toEqual(expectedVersions);
    } finally {
      await db.close();
    }
  });

  it('applies migrations in one transaction: a failing one leaves nothing behind', async () => {
    const db = await connect();
    try {
      const broken = [
        ...MIGRATIONS,
        { version: 900, name: 'good', sql: 'CREATE TABLE x402_test_good (id int)' },
        { version: 901, name: 'bad', sql: 'CREATE TABLE x402_test_bad (id no_such_type)' },
      ];
      await expect(migrate(db, broken)).rejects.toThrow(/no_such_type/);
      // Not even the migrations table: it was created in the same transaction.
      const tables = await db.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_name LIKE 'x402_%'",
      );
      expect(tables).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('refuses a database whose recorded migration was renamed (edited in place)', async () => {
    const db = await connect();
    try {
      await migrate(db);
      const edited = MIGRATIONS.map((m, i) => (i === 0 ? { ...m, name: 'something else' } : m));
      await expect(migrate(db, edited)).rejects.toThrow(/recorded as/);
    } finally {
      await db.close();
    }
  });

  it('reserves the vouchers table: one row per (channel, sequence)', async () => {
    const db = await connect();
    try {
      await migrate(db);
      const insert = `INSERT INTO x402_vouchers
        (channel_id, sequence, cumulative_amount, voucher, state, created_at, updated_at)
        VALUES ($1, $2, $3, $4::jsonb, 'accepted', 1, 1)`;
      const voucher = JSON.stringify({ channel: 'ch-1', sequence: 1, signature: '0x' });
      await db.query(insert, ['ch-1', 1, '1000000000000000000000000000000', voucher]);
      await db.query(insert, ['ch-1', 2, '2000000000000000000000000000000', voucher]);
      await db.query(insert, ['ch-2', 1, '5', voucher]);
      const duplicate = await rejectionOf(db.query(insert, ['ch-1', 1, '7', voucher]));
      expect(String(duplicate)).toMatch(/duplicate key/);
      const [latest] = await db.query<{ amount: string }>(
        `SELECT cumulative_amount::text AS amount FROM x402_vouchers
         WHERE channel_id = 'ch-1' ORDER BY sequence DESC LIMIT 1`,
      );
      expect(latest?.amount).toBe('2000000000000000000000000000000');
    } finally {
      await db.close();
    }
  });
}

describe('schema on pglite', () => {
  schemaChecks(() => openPglite(undefined));

  it('persists to a dataDir (created if missing) that survives close and reopen', async () => {
    const dir = join(await tempDir(), 'nested', 'x402');
    const first = await openStore({ driver: 'pglite', dataDir: dir }, { now: testClock().now });
    await writeSome(first);
    const written = await readSome(first);
    await first.close();

    const again = await openStore({ driver: 'pglite', dataDir: dir });
    expect(await readSome(again)).toEqual(written);
    expect((await again.payments.claim(claimFor('p-settled'))).claimed).toBe(false);
    await again.close();

    // Opened twice, migrated once.
    const raw = await openPglite(dir);
    expect(await versions(raw)).toEqual(expectedVersions);
    await raw.close();
  });
});

const databaseUrl = inject('databaseUrl');
describe.skipIf(databaseUrl === null)(
  databaseUrl === null ? `schema on postgres (${NO_POSTGRES})` : 'schema on postgres',
  () => {
    const connect = async () =>
      openPostgres({ url: await freshDatabaseUrl(), poolSize: 2, onIdleError: () => {} });
    schemaChecks(connect);

    it('keeps its rows and its one migration record across close and reopen', async () => {
      const url = await freshDatabaseUrl();
      const first = await openStore({ driver: 'postgres', url });
      await writeSome(first);
      const written = await readSome(first);
      await first.close();
      const again = await openStore({ driver: 'postgres', url, poolSize: 2 });
      expect(await readSome(again)).toEqual(written);
      await again.close();
      const raw = await openPostgres({ url, poolSize: 1, onIdleError: () => {} });
      expect(await versions(raw)).toEqual(expectedVersions);
      await raw.close();
    });
  },
);

describe('migrations list', () => {
  it('numbers versions 1, 2, 3… in order, with unique names', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
  });
});

describe('driver loading', () => {
  const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

  /** Every module reachable from `file` through static (non-type) imports. */
  async function staticGraph(file: string, seen = new Set<string>()): Promise<Set<string>> {
    if (seen.has(file)) return seen;
    seen.add(file);
    if (!file.startsWith(src)) return seen;
    const code = await readFile(file, 'utf8');
    for (const match of code.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
      const spec = match[1] as string;
      const next = spec.startsWith('.')
        ? resolve(dirname(file), spec.replace(/\.js$/, '.ts'))
        : spec;
      await staticGraph(next, seen);
    }
    return seen;
  }

  it('never loads PGlite or pg for a memory store: drivers are dynamic imports', async () => {
    const graph = await staticGraph(join(src, 'index.ts'));
    expect(graph.has('@x402-rails/core')).toBe(true);
    expect([...graph].filter((m) => /pglite|^pg$|drivers/.test(m))).toEqual([]);
    const open = await readFile(join(src, 'open.ts'), 'utf8');
    expect(open).toContain("import('./drivers/pglite.js')");
    expect(open).toContain("import('./drivers/postgres.js')");
  });
});
