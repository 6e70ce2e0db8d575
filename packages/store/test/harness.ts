/**
 * What the store tests share: the three drivers under test (Postgres only when globalSetup
 * provided a database), fresh isolated stores per driver, a clock tests can drive, and fixtures.
 */
import type {
  PaymentClaim,
  PaymentRequirements,
  SettlementEntry,
  SettleResponse,
} from '@x402-rails/core';
import pg from 'pg';
import { inject } from 'vitest';
import { openStore, type Store, type StoreDriver, type StoreOptions } from '../src/index.js';

export const NO_POSTGRES =
  'skipped: no Postgres (set DATABASE_URL, or install the Debian postgresql package)';

/** A clock that advances by one on every read, and jumps when told: each write has its own time. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
  peek(): number;
}

export function testClock(start = 1_000_000): TestClock {
  let time = start;
  return {
    now: () => time++,
    advance(ms) {
      time += ms;
    },
    peek: () => time,
  };
}

/** A unique id per call, so tests sharing one database never meet each other's rows. */
let counter = 0;
export const uniqueId = (prefix: string) =>
  `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

export interface DriverUnderTest {
  driver: StoreDriver;
  /** The describe title; names why it is skipped when it is. */
  title: string;
  skip: boolean;
  /** A store on a new, empty database. */
  fresh(options?: StoreOptions): Promise<Store>;
}

const databaseUrl = (): string | null => inject('databaseUrl');

const opened: Store[] = [];
const databases: string[] = [];

async function track(store: Promise<Store>): Promise<Store> {
  const s = await store;
  opened.push(s);
  return s;
}

/** Runs `sql` on the provided Postgres database (the one globalSetup made or DATABASE_URL names). */
export async function adminQuery<Row>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

/** Creates an empty database beside the provided one and returns its URL; dropped by `cleanup`. */
export async function freshDatabaseUrl(): Promise<string> {
  const base = databaseUrl();
  if (!base) throw new Error('no Postgres');
  const name = uniqueId('x402_t')
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase();
  await adminQuery(base, `CREATE DATABASE ${name}`);
  databases.push(name);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Opens a store; closed by `cleanup`. */
export const open = (config: Parameters<typeof openStore>[0], options?: StoreOptions) =>
  track(openStore(config, options));

export function driversUnderTest(): DriverUnderTest[] {
  const hasPostgres = databaseUrl() !== null;
  return [
    {
      driver: 'memory',
      title: 'memory',
      skip: false,
      fresh: (options) => open({ driver: 'memory' }, options),
    },
    {
      driver: 'pglite',
      title: 'pglite',
      skip: false,
      fresh: (options) => open({ driver: 'pglite' }, options),
    },
    {
      driver: 'postgres',
      title: hasPostgres ? 'postgres' : `postgres (${NO_POSTGRES})`,
      skip: !hasPostgres,
      fresh: async (options) =>
        open({ driver: 'postgres', url: await freshDatabaseUrl() }, options),
    },
  ];
}

/** Closes every store the file opened and drops its databases. Call from `afterAll`. */
export async function cleanup(): Promise<void> {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  const base = databaseUrl();
  if (!base) return;
  for (const name of databases.splice(0)) {
    await adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

export const claimFor = (paymentId: string): PaymentClaim => ({
  paymentId,
  scheme: 'exact',
  network: 'eip155:84532',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  amount: '10000',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  resource: 'https://api.example.com/premium-data',
});

// A function, not a constant: tests mutate what they get to prove the store kept copies.
const requirementsFor = (): PaymentRequirements => ({
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  maxTimeoutSeconds: 60,
  extra: { name: 'USDC', version: '2' },
});

export const entryFor = (key: string): SettlementEntry => ({
  key,
  scheme: 'exact',
  network: 'eip155:84532',
  payload: {
    x402Version: 2,
    resource: { url: 'https://api.example.com/premium-data' },
    accepted: requirementsFor(),
    payload: { signature: '0xdeadbeef', authorization: { nonce: key, value: '10000' } },
  },
  requirements: requirementsFor(),
});

export const settled = (transaction = '0xabc'): SettleResponse => ({
  success: true,
  transaction,
  network: 'eip155:84532',
  payer: '0xpayer',
});

export const failedSettlement = (reason = 'insufficient_funds'): SettleResponse => ({
  success: false,
  errorReason: reason,
  transaction: '',
  network: 'eip155:84532',
});

/** Awaits a rejection and returns it. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
