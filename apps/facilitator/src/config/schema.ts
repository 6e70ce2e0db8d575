/**
 * The config file's shape. Strict objects throughout: a misspelt key is an error, not a silent
 * default. Defaults are applied here so the rest of the app reads one fully resolved value.
 */
import { z } from 'zod';
import { railEntrySchema } from '../rails/registry.js';
import { type ConfigSources, envSecret, millis, pathField } from './fields.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

function storeSchema(sources: ConfigSources) {
  return z.discriminatedUnion(
    'driver',
    [
      z.strictObject({
        driver: z.literal('pglite'),
        // Persisted by default: an in-memory journal would forget settlements on restart.
        dataDir: pathField(sources).prefault('./data'),
      }),
      z.strictObject({
        driver: z.literal('postgres'),
        urlEnv: envSecret(sources),
        poolSize: z.number().int().min(1).max(1000).optional(),
      }),
      z.strictObject({ driver: z.literal('memory') }),
    ],
    { error: 'must be "pglite", "postgres" or "memory"' },
  );
}

export function configSchema(sources: ConfigSources) {
  return z.strictObject({
    listen: z
      .strictObject({
        host: z.string().min(1, 'must be a host name or address').default('127.0.0.1'),
        port: z
          .number()
          .int('must be a whole number')
          .min(0, 'must be 0-65535')
          .max(65_535, 'must be 0-65535')
          .default(4020),
      })
      .prefault({}),
    auth: z.strictObject({ bearerTokenEnv: envSecret(sources) }).optional(),
    store: storeSchema(sources).prefault({ driver: 'pglite' }),
    retention: z
      .strictObject({ days: z.number().positive('must be more than 0').max(36_500).default(30) })
      .prefault({})
      .transform(({ days }) => ({ days, maxAgeMs: Math.round(days * DAY_MS) })),
    settlement: z
      .strictObject({
        leaseMs: millis(100).default(120_000),
        reconcileIntervalMs: millis(100).default(30_000),
      })
      .prefault({}),
    shutdownGraceMs: millis(0).default(30_000),
    log: z.strictObject({ level: z.enum(LOG_LEVELS).default('info') }).prefault({}),
    rails: z.array(railEntrySchema(sources)).min(1, 'must list at least one rail'),
  });
}

export type FacilitatorConfig = z.output<ReturnType<typeof configSchema>>;
export type StoreSettings = FacilitatorConfig['store'];
