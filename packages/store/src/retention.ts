/**
 * Periodic pruning while a store is open. The timer is unref'd (retention never keeps a process
 * alive), runs once right away (a process restarted more often than the interval still prunes),
 * never overlaps itself, and `stop` waits for a prune in flight so the database closes after it.
 */
import type { RetentionOptions } from './config.js';
import type { PruneResult } from './types.js';

const HOUR_MS = 3_600_000;

export interface RetentionTimer {
  stop(): Promise<void>;
}

export function startRetention(
  options: RetentionOptions,
  prune: (before: number) => Promise<PruneResult>,
  now: () => number,
): RetentionTimer {
  const onError =
    options.onError ??
    ((error: unknown) => console.error('@x402-rails/store: retention prune failed', error));
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    // Inside the promise chain, so even a throwing clock reaches onError, never the timer.
    running = Promise.resolve()
      .then(() => prune(now() - options.maxAgeMs))
      .then(
        () => {},
        (error: unknown) => onError(error),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.intervalMs ?? Math.min(options.maxAgeMs, HOUR_MS));
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
