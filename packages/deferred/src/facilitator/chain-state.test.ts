import { describe, expect, it } from 'vitest';
import { createChainStateCache, type EscrowReader } from './chain-state.js';

const ID = `0x${'aa'.repeat(32)}` as const;

/** A fake escrow: counts reads, answers what `state` holds, each read waits for `gate` if set. */
function fakeEscrow() {
  const state = { balance: 100n, totalClaimed: 0n, withdrawAmount: 0n, initiatedAt: 0 };
  let reads = 0;
  let gate: Promise<void> | undefined;
  const client = {
    async readContract({ functionName }: { functionName: string }) {
      if (functionName === 'channels') reads++;
      if (gate) await gate;
      return functionName === 'channels'
        ? [state.balance, state.totalClaimed]
        : [state.withdrawAmount, state.initiatedAt];
    },
  } as unknown as EscrowReader;
  return {
    client,
    state,
    reads: () => reads,
    hold() {
      let open!: () => void;
      gate = new Promise<void>((r) => {
        open = r;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

describe('chain state cache', () => {
  it('serves a fresh read from cache and re-reads when stale', async () => {
    const escrow = fakeEscrow();
    let now = 1_000;
    const cache = createChainStateCache({
      client: escrow.client,
      escrow: ID,
      ttlMs: 50,
      now: () => now,
    });
    expect((await cache.get(ID)).balance).toBe(100n);
    escrow.state.balance = 200n;
    now += 49;
    expect((await cache.get(ID)).balance).toBe(100n);
    expect(escrow.reads()).toBe(1);
    now += 1;
    expect((await cache.get(ID)).balance).toBe(200n);
    expect(escrow.reads()).toBe(2);
  });

  it('reads again on demand, and sooner while a withdrawal is pending', async () => {
    const escrow = fakeEscrow();
    let now = 0;
    const cache = createChainStateCache({
      client: escrow.client,
      escrow: ID,
      ttlMs: 1_000,
      withdrawingTtlMs: 10,
      now: () => now,
    });
    await cache.get(ID);
    escrow.state.balance = 300n;
    expect((await cache.get(ID, { fresh: true })).balance).toBe(300n);
    escrow.state.initiatedAt = 1234;
    await cache.get(ID, { fresh: true });
    now += 10;
    await cache.get(ID);
    expect(escrow.reads()).toBe(3 + 1);
    cache.invalidate(ID);
    await cache.get(ID);
    expect(escrow.reads()).toBe(5);
  });

  it('shares one read among concurrent callers', async () => {
    const escrow = fakeEscrow();
    const cache = createChainStateCache({ client: escrow.client, escrow: ID });
    const open = escrow.hold();
    const reads = Array.from({ length: 5 }, () => cache.get(ID, { fresh: true }));
    open();
    const states = await Promise.all(reads);
    expect(new Set(states).size).toBe(1);
    expect(escrow.reads()).toBe(1);
  });
});
