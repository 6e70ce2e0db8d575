import { afterEach, describe, expect, it, vi } from 'vitest';
import { startRetention } from './retention.js';

const none = { payments: 0, settlements: 0 };

afterEach(() => {
  vi.useRealTimers();
});

describe('startRetention', () => {
  it('prunes at once, then every interval, with the cutoff maxAgeMs ago', async () => {
    vi.useFakeTimers();
    const prune = vi.fn(async (_before: number) => none);
    const timer = startRetention({ maxAgeMs: 1_000, intervalMs: 50 }, prune, () => 10_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(prune).toHaveBeenCalledTimes(1);
    expect(prune).toHaveBeenCalledWith(9_000);
    await vi.advanceTimersByTimeAsync(120);
    expect(prune).toHaveBeenCalledTimes(3);
    await timer.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(prune).toHaveBeenCalledTimes(3);
  });

  it('defaults the interval to an hour, or maxAgeMs when that is shorter', async () => {
    vi.useFakeTimers();
    const prune = vi.fn(async (_before: number) => none);
    const long = startRetention({ maxAgeMs: 86_400_000 }, prune, () => 0);
    const short = startRetention({ maxAgeMs: 60_000 }, prune, () => 0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(prune).toHaveBeenCalledTimes(3); // two at start, one from the short one
    await vi.advanceTimersByTimeAsync(3_600_000 - 60_000);
    expect(prune).toHaveBeenCalledTimes(2 + 60 + 1);
    await Promise.all([long.stop(), short.stop()]);
  });

  it('never overlaps a slow prune, and stop waits for the one in flight', async () => {
    vi.useFakeTimers();
    let finish = () => {};
    const prune = vi.fn(
      () =>
        new Promise<typeof none>((resolve) => {
          finish = () => resolve(none);
        }),
    );
    const timer = startRetention({ maxAgeMs: 1_000, intervalMs: 10 }, prune, () => 0);
    await vi.advanceTimersByTimeAsync(100);
    expect(prune).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stopping = timer.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('reports a failed prune, or a clock that throws, to onError and carries on', async () => {
    vi.useFakeTimers();
    const onError = vi.fn();
    let calls = 0;
    const prune = vi.fn(async () => {
      calls++;
      if (calls === 1) throw new Error('database down');
      return none;
    });
    let clockBroken = false;
    const now = () => {
      if (clockBroken) throw new Error('clock broke');
      return 0;
    };
    const timer = startRetention({ maxAgeMs: 1_000, intervalMs: 10, onError }, prune, now);
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledWith(new Error('database down'));
    clockBroken = true;
    await vi.advanceTimersByTimeAsync(10);
    expect(onError).toHaveBeenLastCalledWith(new Error('clock broke'));
    clockBroken = false;
    await vi.advanceTimersByTimeAsync(10);
    expect(prune).toHaveBeenCalledTimes(2);
    await timer.stop();
  });

  it('logs a failed prune when no onError is given', async () => {
    vi.useFakeTimers();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const timer = startRetention(
      { maxAgeMs: 1_000 },
      async () => {
        throw new Error('database down');
      },
      () => 0,
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toHaveBeenCalledWith(
      '@x402-rails/store: retention prune failed',
      new Error('database down'),
    );
    log.mockRestore();
    await timer.stop();
  });
});
