/**
 * The service's lifecycle: build the rails, open the store, reconcile what a crash left pending,
 * serve; and on close, stop accepting, let in-flight requests finish, stop timers, close the store.
 */
import { createFacilitator } from '@x402-rails/core/facilitator';
import { serveFetch } from '@x402-rails/core/node';
import { openStore, type StoreConfig } from '@x402-rails/store';
import type { Logger } from 'pino';
import type { FacilitatorConfig, StoreSettings } from './config/schema.js';
import { createHttpApp } from './http/app.js';
import { createFacilitatorMetrics } from './metrics/facilitator-metrics.js';
import { instrumentFacilitator } from './metrics/instrument.js';
import { buildRails } from './rails/build.js';
import { startReconciler } from './reconciler.js';

export interface RunningService {
  /** Where it listens, e.g. `http://127.0.0.1:4020`. */
  readonly url: string;
  /** Graceful stop; resolves once the store is closed. Idempotent. */
  close(): Promise<void>;
}

function storeConfigOf(settings: StoreSettings): StoreConfig {
  switch (settings.driver) {
    case 'memory':
      return { driver: 'memory' };
    case 'pglite':
      return { driver: 'pglite', dataDir: settings.dataDir };
    case 'postgres':
      return {
        driver: 'postgres',
        url: settings.urlEnv.value,
        ...(settings.poolSize !== undefined ? { poolSize: settings.poolSize } : {}),
      };
  }
}

/** Where the journal lives, for the start-up log: never the Postgres URL (it holds a password). */
function describeStore(settings: StoreSettings): Record<string, string> {
  if (settings.driver === 'pglite') return { driver: 'pglite', dataDir: settings.dataDir };
  if (settings.driver === 'postgres') return { driver: 'postgres', urlEnv: settings.urlEnv.env };
  return { driver: 'memory' };
}

export async function startService(
  config: FacilitatorConfig,
  logger: Logger,
): Promise<RunningService> {
  // Rails first: a rail that cannot be built is a config error, found before anything is opened.
  const schemes = await buildRails(config.rails, logger);
  if (config.store.driver === 'memory')
    logger.warn('store driver "memory": settlements are forgotten on restart (tests only)');

  const store = await openStore(storeConfigOf(config.store), {
    retention: {
      maxAgeMs: config.retention.maxAgeMs,
      onError: (error) => logger.error({ err: error }, 'retention prune failed'),
    },
  });
  logger.info({ store: describeStore(config.store) }, 'store open');
  try {
    const metrics = createFacilitatorMetrics();
    const facilitator = instrumentFacilitator(
      createFacilitator({
        schemes,
        journal: store.settlements,
        settleLeaseMs: config.settlement.leaseMs,
      }),
      metrics,
    );
    const reconciler = startReconciler(facilitator, {
      intervalMs: config.settlement.reconcileIntervalMs,
      logger,
    });
    // Recover what a crash left pending before taking new traffic.
    await reconciler.run();

    const app = createHttpApp({
      facilitator,
      metrics,
      logger,
      ...(config.auth ? { bearerToken: config.auth.bearerTokenEnv.value } : {}),
    });
    const server = await serveFetch((request) => app.handle(request), {
      host: config.listen.host,
      port: config.listen.port,
      closeGraceMs: config.shutdownGraceMs,
      onError: (error) => logger.error({ err: error }, 'unhandled request error'),
    }).catch(async (error: unknown) => {
      await reconciler.stop();
      throw error;
    });
    logger.info({ url: server.url, auth: config.auth !== undefined }, 'listening');

    let closing: Promise<void> | undefined;
    return {
      url: server.url,
      close() {
        closing ??= (async () => {
          const reconcilerStopped = reconciler.stop();
          // In-flight settles finish (up to shutdownGraceMs) before the journal goes away.
          await server.close();
          await reconcilerStopped;
          await store.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}
