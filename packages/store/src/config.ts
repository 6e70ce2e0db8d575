/**
 * What `openStore` accepts, checked with zod before anything is opened: a config that can never
 * work fails at start-up with a `ConfigError` naming the field, not at the first payment.
 */
import { ConfigError } from '@x402-rails/core';
import { z } from 'zod';

const POSTGRES_PROTOCOLS = new Set(['postgres:', 'postgresql:']);

function isPostgresUrl(value: string): boolean {
  try {
    return POSTGRES_PROTOCOLS.has(new URL(value).protocol);
  } catch {
    return false;
  }
}

// Strict objects: a misspelt key (`dataDIr`) would otherwise silently give an in-memory database.
export const StoreConfigSchema = z.discriminatedUnion('driver', [
  z.strictObject({ driver: z.literal('memory') }),
  z.strictObject({
    driver: z.literal('pglite'),
    dataDir: z.string().min(1, 'must be a directory path').optional(),
  }),
  z.strictObject({
    driver: z.literal('postgres'),
    url: z.string().refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL'),
    poolSize: z.number().int().min(1).max(1000).optional(),
  }),
]);

/** Which database holds the ledger. */
export type StoreConfig =
  /** In process, lost on exit: unit tests and single-process tools. */
  | { driver: 'memory' }
  /** Embedded Postgres (WASM). No `dataDir`: in memory; a directory: persisted there, created if missing. */
  | { driver: 'pglite'; dataDir?: string }
  /** A Postgres server, shared by every instance that opens the same URL. `poolSize` defaults to 10. */
  | { driver: 'postgres'; url: string; poolSize?: number };

export type StoreDriver = StoreConfig['driver'];

const fn = z.custom<(...args: never[]) => unknown>(
  (value) => typeof value === 'function',
  'must be a function',
);

export const StoreOptionsSchema = z.strictObject({
  retention: z
    .strictObject({
      maxAgeMs: z.number().int().positive(),
      intervalMs: z.number().int().positive().max(2_147_483_647).optional(),
      onError: fn.optional(),
    })
    .optional(),
  now: fn.optional(),
});

export interface RetentionOptions {
  /** Final rows last updated longer ago than this are deleted. */
  maxAgeMs: number;
  /** How often to prune (default: every hour, or every `maxAgeMs` when that is shorter). */
  intervalMs?: number;
  /** A prune that failed (the next one still runs). Default: `console.error`. */
  onError?: (error: unknown) => void;
}

export interface StoreOptions {
  /** Prune final rows periodically while the store is open. */
  retention?: RetentionOptions;
  /**
   * Clock (epoch ms), for tests. By default the SQL drivers read the database's clock, so every
   * instance sharing one database agrees on when a settlement lease has ended.
   */
  now?: () => number;
}

/** Parses with `schema`, or throws a `ConfigError` whose message names the offending field. */
function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const field = [...issue.path.map(String), ...keys].join('.') || '(root)';
    return { field, message: issue.message };
  });
  const first = issues[0] ?? { field: '(root)', message: 'is invalid' };
  throw new ConfigError(`Invalid ${what}: ${first.field}: ${first.message}`, {
    field: first.field,
    issues,
  });
}

export function parseStoreConfig(config: unknown): StoreConfig {
  return parseOrThrow(StoreConfigSchema, config, 'store config') as StoreConfig;
}

export function parseStoreOptions(options: unknown): StoreOptions {
  return parseOrThrow(StoreOptionsSchema, options, 'store options') as StoreOptions;
}
