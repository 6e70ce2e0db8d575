/**
 * `openStore` itself: config validation, and on every driver pruning (only final rows, only old
 * ones), periodic retention, and closing.
 */
import { ConfigError, type PaymentState } from '@x402-rails/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../src/index.js';
import {
  claimFor,
  cleanup,
  driversUnderTest,
  entryFor,
  failedSettlement,
  rejectionOf,
  settled,
  type TestClock,
  testClock,
} from './harness.js';

afterAll(cleanup);

describe('openStore: config', () => {
  it.each([
    [{ driver: 'mysql' }, 'driver'],
    [{}, 'driver'],
    [null, '(root)'],
    [{ driver: 'postgres' }, 'url'],
    [{ driver: 'postgres', url: 'http://db.example/x402' }, 'url'],
    [{ driver: 'postgres', url: 'not a url' }, 'url'],
    [{ driver: 'postgres', url: 'postgres://db/x402', poolSize: 0 }, 'poolSize'],
    [{ driver: 'postgres', url: 'postgres://db/x402', poolSize: 2.5 }, 'poolSize'],
    [{ driver: 'pglite', dataDir: '' }, 'dataDir'],
    [{ driver: 'pglite', dataDIr: './data' }, 'dataDIr'],
    [{ driver: 'memory', url: 'postgres://db/x402' }, 'url'],
  ])('refuses %j with a ConfigError naming %s', async (config, field) => {
    const error = await rejectionOf(openStore(config as never));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('invalid_config');
    expect((error as ConfigError).message).toContain(`${field}:`);
    expect((error as ConfigError).details['field']).toBe(field);
  });

  it.each([
    [{ retention: { maxAgeMs: 0 } }, 'retention.maxAgeMs'],
    [{ retention: { maxAgeMs: 1000, intervalMs: -1 } }, 'retention.intervalMs'],
    [{ retention: {} }, 'retention.maxAgeMs'],
    [{ now: 1234 }, 'now'],
    [{ retention: { maxAgeMs: 1000, onError: 'log' } }, 'retention.onError'],
  ])('refuses options %j with a ConfigError naming %s', async (options, field) => {
    const error = await rejectionOf(openStore({ driver: 'memory' }, options as never));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).details['field']).toBe(field);
  });

  it('does not put the URL, which may hold a password, in the error', async () => {
    const url = 'http://user:hunter2@db.example/x402';
    const error = (await rejectionOf(openStore({ driver: 'postgres', url }))) as ConfigError;
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain('hunter2');
  });

  it('reports an unreachable Postgres at open, not at the first payment', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const error = await rejectionOf(
      openStore({ driver: 'postgres', url: 'postgres://x402@127.0.0.1:1/x402', poolSize: 1 }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(/ECONNREFUSED|connect/);
  });
});

/** One payment in every state and one settlement in every state, all written at clock time. */
async function writeEveryState(store: Store, tag: string) {
  const paths: Record<PaymentState, PaymentState[]> = {
    claimed: [],
    verified: ['verified'],
    settled: ['verified', 'settled'],
    failed: ['verified', 'failed'],
    released: ['released'],
  };
  for (const [state, path] of Object.entries(paths)) {
    const id = `${tag}-${state}`;
    await store.payments.claim(claimFor(id));
    let from: PaymentState = 'claimed';
    for (const to of path) {
      await store.payments.transition(id, from, to);
      from = to;
    }
  }
  for (const state of ['pending', 'settled', 'failed'] as const) {
    const key = `${tag}-${state}`;
    await store.settlements.begin(entryFor(key), 1_000);
    if (state === 'settled') await store.settlements.complete(key, settled());
    if (state === 'failed') await store.settlements.complete(key, failedSettlement());
  }
}

async function statesLeft(store: Store, tag: string) {
  const payments: string[] = [];
  for (const state of ['claimed', 'verified', 'settled', 'failed', 'released']) {
    if (await store.payments.get(`${tag}-${state}`)) payments.push(state);
  }
  const settlements: string[] = [];
  for (const state of ['pending', 'settled', 'failed']) {
    if (await store.settlements.get(`${tag}-${state}`)) settlements.push(state);
  }
  return { payments, settlements };
}

for (const target of driversUnderTest()) {
  describe.skipIf(target.skip)(`store on ${target.title}`, () => {
    it('names its driver, and closes idempotently', async () => {
      const store = await target.fresh();
      expect(store.driver).toBe(target.driver);
      await store.close();
      await store.close();
    });

    it('prunes only final rows last updated before the cutoff', async () => {
      const clock: TestClock = testClock(10_000);
      const store = await target.fresh({ now: clock.now });
      await writeEveryState(store, 'old');
      const cutoff = clock.peek();
      clock.advance(1_000_000);
      await writeEveryState(store, 'new');
      expect(await store.prune(new Date(cutoff))).toEqual({ payments: 3, settlements: 2 });
      expect(await statesLeft(store, 'old')).toEqual({
        payments: ['claimed', 'verified'],
        settlements: ['pending'],
      });
      const everything = {
        payments: ['claimed', 'verified', 'settled', 'failed', 'released'],
        settlements: ['pending', 'settled', 'failed'],
      };
      expect(await statesLeft(store, 'new')).toEqual(everything);
      expect(await store.prune(new Date(cutoff))).toEqual({ payments: 0, settlements: 0 });
      // A pruned id is new again: nothing remembers it (hence retention well past any replay window).
      expect((await store.payments.claim(claimFor('old-settled'))).claimed).toBe(true);
      await expect(store.prune(new Date(Number.NaN))).rejects.toBeInstanceOf(TypeError);
    });

    it('prunes periodically with retention, on an unref’d timer that close stops', async () => {
      const clock = testClock(10_000);
      const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
      const clearIntervalSpy = vi.spyOn(globalThis, 'clearInterval');
      const onError = vi.fn();
      const store = await target.fresh({
        now: clock.now,
        retention: { maxAgeMs: 500_000, intervalMs: 20, onError },
      });
      // The retention timer is the one set with our interval (drivers may set timers of their own).
      const index = setIntervalSpy.mock.calls.findIndex((call) => call[1] === 20);
      const timer = setIntervalSpy.mock.results[index]?.value as NodeJS.Timeout;
      setIntervalSpy.mockRestore();
      expect(timer.hasRef()).toBe(false);
      await writeEveryState(store, 'old');
      clock.advance(1_000_000);
      await vi.waitFor(
        async () => expect((await statesLeft(store, 'old')).payments).toHaveLength(2),
        { timeout: 5_000, interval: 20 },
      );
      expect(await statesLeft(store, 'old')).toEqual({
        payments: ['claimed', 'verified'],
        settlements: ['pending'],
      });
      await store.close();
      expect(clearIntervalSpy).toHaveBeenCalledWith(timer);
      clearIntervalSpy.mockRestore();
      expect(onError).not.toHaveBeenCalled();
    });
  });
}
