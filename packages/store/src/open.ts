/**
 * `openStore`: validates the config, loads only the chosen driver (dynamic import, so a memory
 * store never loads PGlite or pg), migrates SQL databases, and wraps retention and closing.
 */
import {
  parseStoreConfig,
  parseStoreOptions,
  type StoreConfig,
  type StoreOptions,
} from './config.js';
import { startRetention } from './retention.js';
import type { Store, StoreParts } from './types.js';

async function openParts(
  config: StoreConfig,
  now: (() => number) | undefined,
): Promise<StoreParts> {
  switch (config.driver) {
    case 'memory': {
      const { openMemory } = await import('./drivers/memory.js');
      return openMemory(now);
    }
    case 'pglite': {
      const [{ openPglite }, { openSqlStore }] = await Promise.all([
        import('./drivers/pglite.js'),
        import('./sql/store.js'),
      ]);
      return openSqlStore(await openPglite(config.dataDir), now);
    }
    case 'postgres': {
      const [{ openPostgres }, { openSqlStore }] = await Promise.all([
        import('./drivers/postgres.js'),
        import('./sql/store.js'),
      ]);
      const db = await openPostgres({
        url: config.url,
        poolSize: config.poolSize ?? 10,
        // The pool drops the failed idle connection; the failure, if it lasts, surfaces as the
        // next query's error, where the caller can act on it.
        onIdleError: () => {},
      });
      return openSqlStore(db, now);
    }
  }
}

/**
 * Opens the ledger. A config that can never work throws `ConfigError` naming the field.
 *
 * @example
 * const store = await openStore({ driver: 'pglite', dataDir: './.x402' });
 * const server = createResourceServer({ facilitator, schemes, ledger: store.payments });
 */
export async function openStore(config: StoreConfig, options: StoreOptions = {}): Promise<Store> {
  const checked = parseStoreConfig(config);
  const { retention, now } = parseStoreOptions(options);
  const parts = await openParts(checked, now);
  const timer = retention ? startRetention(retention, parts.prune, now ?? Date.now) : undefined;
  let closing: Promise<void> | undefined;
  return {
    driver: checked.driver,
    payments: parts.payments,
    settlements: parts.settlements,
    deferredLedger: parts.deferredLedger,
    creditAccounts: parts.creditAccounts,
    creditCharges: parts.creditCharges,
    prune(olderThan: Date) {
      const before = olderThan instanceof Date ? olderThan.getTime() : Number.NaN;
      if (Number.isNaN(before)) {
        return Promise.reject(new TypeError('prune(olderThan) needs a valid Date'));
      }
      return parts.prune(before);
    },
    close() {
      closing ??= (async () => {
        await timer?.stop();
        await parts.close();
      })();
      return closing;
    },
  };
}
