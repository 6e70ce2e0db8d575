/**
 * Reconciles settlements a crashed facilitator left pending: once at start, then on a timer.
 * Runs never overlap, and the timer is unref'd so it never holds the process open by itself.
 */
import type { Facilitator } from '@x402-rails/core/facilitator';
import type { Logger } from 'pino';

export interface Reconciler {
  /** Runs one pass now (or joins the one running). */
  run(): Promise<void>;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function startReconciler(
  facilitator: Facilitator,
  options: { intervalMs: number; logger: Logger },
): Reconciler {
  const { logger } = options;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function pass(): Promise<void> {
    try {
      for (const { key, result } of await facilitator.reconcile()) {
        logger.info(
          {
            key,
            success: result.success,
            transaction: result.transaction,
            reason: result.errorReason,
          },
          'reconciled an interrupted settlement',
        );
      }
    } catch (error) {
      // The next pass tries again; a failing store must not take the service down with it.
      logger.error({ err: error }, 'reconcile failed');
    }
  }

  function run(): Promise<void> {
    if (stopped) return Promise.resolve();
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  }

  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();

  return {
    run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
