import { describe, expect, it } from 'vitest';
import { LedgerTransitionError, X402Error } from './errors.js';
import type { PaymentClaim, PaymentLedger, PaymentState } from './ledger.js';
import { assertTransitionAllowed, createMemoryLedger, PAYMENT_TRANSITIONS } from './ledger.js';

const STATES: readonly PaymentState[] = ['claimed', 'verified', 'settled', 'failed', 'released'];

const claimFor = (paymentId: string): PaymentClaim => ({
  paymentId,
  scheme: 'exact',
  network: 'eip155:84532',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  amount: '10000',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  resource: 'https://api.example.com/premium-data',
});

/** A clock that advances by one on every read, so each write has its own time. */
function tickingClock(start = 1000): () => number {
  let time = start;
  return () => time++;
}

/** The shortest path of allowed transitions from `claimed` to `target`, found from the table itself. */
function pathTo(target: PaymentState): PaymentState[] {
  const queue: PaymentState[][] = [['claimed']];
  const seen = new Set<PaymentState>(['claimed']);
  while (queue.length > 0) {
    const path = queue.shift() as PaymentState[];
    const last = path[path.length - 1] as PaymentState;
    if (last === target) return path;
    for (const next of PAYMENT_TRANSITIONS[last]) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push([...path, next]);
    }
  }
  throw new Error(`state ${target} is unreachable from claimed`);
}

/** A ledger holding `paymentId` in `state`, reached only through allowed transitions. */
async function ledgerIn(
  state: PaymentState,
  paymentId = 'pay-1',
): Promise<PaymentLedger & { size(): number }> {
  const ledger = createMemoryLedger({ now: tickingClock() });
  expect((await ledger.claim(claimFor(paymentId))).claimed).toBe(true);
  const path = pathTo(state);
  for (let i = 1; i < path.length; i++) {
    await ledger.transition(paymentId, path[i - 1] as PaymentState, path[i] as PaymentState);
  }
  expect((await ledger.get(paymentId))?.state).toBe(state);
  return ledger;
}

async function rejection(promise: Promise<unknown>): Promise<LedgerTransitionError> {
  let thrown: unknown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(LedgerTransitionError);
  expect((thrown as LedgerTransitionError).code).toBe('invalid_transaction_state');
  return thrown as LedgerTransitionError;
}

describe('PAYMENT_TRANSITIONS', () => {
  it('is the documented state machine', () => {
    expect(PAYMENT_TRANSITIONS).toEqual({
      claimed: ['verified', 'released'],
      verified: ['settled', 'failed', 'released'],
      settled: [],
      failed: [],
      released: ['claimed'],
    });
  });

  it('covers every state, and every state is reachable from claimed', () => {
    expect(Object.keys(PAYMENT_TRANSITIONS).sort()).toEqual([...STATES].sort());
    for (const state of STATES) expect(pathTo(state)[0]).toBe('claimed');
  });

  it('assertTransitionAllowed agrees with the table for every pair', () => {
    for (const from of STATES) {
      for (const to of STATES) {
        if (PAYMENT_TRANSITIONS[from].includes(to)) {
          expect(() => assertTransitionAllowed('p', from, to)).not.toThrow();
        } else {
          expect(() => assertTransitionAllowed('p', from, to)).toThrow(LedgerTransitionError);
        }
      }
    }
    // Self-transitions are never allowed.
    for (const state of STATES)
      expect(() => assertTransitionAllowed('p', state, state)).toThrow(/not allowed/);
  });

  it('assertTransitionAllowed explains the refusal', () => {
    try {
      assertTransitionAllowed('pay-9', 'settled', 'released');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LedgerTransitionError);
      const e = error as LedgerTransitionError;
      expect(e.message).toContain('pay-9');
      expect(e.message).toContain('settled → released');
      expect(e.details).toEqual({ paymentId: 'pay-9', from: 'settled', to: 'released' });
    }
  });
});

describe('createMemoryLedger: claim', () => {
  it('claims a new id', async () => {
    const ledger = createMemoryLedger({ now: () => 1234 });
    const result = await ledger.claim(claimFor('pay-1'));
    expect(result.claimed).toBe(true);
    expect(result.record).toEqual({
      ...claimFor('pay-1'),
      state: 'claimed',
      attempts: 1,
      createdAt: 1234,
      updatedAt: 1234,
    });
    expect(await ledger.get('pay-1')).toEqual(result.record);
    expect(ledger.size()).toBe(1);
  });

  it('does not claim an id twice and returns the existing record untouched', async () => {
    const ledger = createMemoryLedger({ now: tickingClock() });
    const first = await ledger.claim(claimFor('pay-1'));
    const second = await ledger.claim({
      ...claimFor('pay-1'),
      amount: '1',
      resource: 'https://elsewhere.example',
    });
    expect(second.claimed).toBe(false);
    expect(second.record).toEqual(first.record);
    expect(second.record.amount).toBe('10000');
    expect(await ledger.get('pay-1')).toEqual(first.record);
    expect(ledger.size()).toBe(1);
  });

  it('keeps ids independent', async () => {
    const ledger = createMemoryLedger();
    expect((await ledger.claim(claimFor('a'))).claimed).toBe(true);
    expect((await ledger.claim(claimFor('b'))).claimed).toBe(true);
    expect(ledger.size()).toBe(2);
    await ledger.transition('a', 'claimed', 'verified');
    expect((await ledger.get('b'))?.state).toBe('claimed');
  });

  it.each(['claimed', 'verified', 'settled', 'failed'] as const)(
    'refuses to re-claim a %s payment',
    async (state) => {
      const ledger = await ledgerIn(state);
      const before = await ledger.get('pay-1');
      const result = await ledger.claim(claimFor('pay-1'));
      expect(result.claimed).toBe(false);
      expect(result.record.state).toBe(state);
      expect(result.record).toEqual(before);
      expect(await ledger.get('pay-1')).toEqual(before);
    },
  );

  it('re-claims a released payment: attempts increments, createdAt is kept', async () => {
    const ledger = createMemoryLedger({ now: tickingClock(100) });
    const first = await ledger.claim(claimFor('pay-1')); // t=100
    await ledger.transition('pay-1', 'claimed', 'released', { reason: 'facilitator_unavailable' }); // t=101
    const again = await ledger.claim(claimFor('pay-1')); // t=102
    expect(again.claimed).toBe(true);
    expect(again.record.state).toBe('claimed');
    expect(again.record.attempts).toBe(2);
    expect(again.record.createdAt).toBe(first.record.createdAt);
    expect(again.record.createdAt).toBe(100);
    expect(again.record.updatedAt).toBe(102);
    expect(again.record.reason).toBeUndefined();
    // A third round after verify → released.
    await ledger.transition('pay-1', 'claimed', 'verified');
    await ledger.transition('pay-1', 'verified', 'released');
    const third = await ledger.claim(claimFor('pay-1'));
    expect(third.claimed).toBe(true);
    expect(third.record.attempts).toBe(3);
    expect(third.record.createdAt).toBe(100);
    // And it is then settled once and for all.
    await ledger.transition('pay-1', 'claimed', 'verified');
    await ledger.transition('pay-1', 'verified', 'settled', { transaction: '0xabc' });
    expect((await ledger.claim(claimFor('pay-1'))).claimed).toBe(false);
  });

  it('gives exactly one of 100 concurrent claims of one id', async () => {
    const ledger = createMemoryLedger();
    const results = await Promise.all(
      Array.from({ length: 100 }, () => ledger.claim(claimFor('pay-1'))),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(results.filter((r) => !r.claimed)).toHaveLength(99);
    expect((await ledger.get('pay-1'))?.attempts).toBe(1);
    expect(ledger.size()).toBe(1);
  });

  it('gives exactly one of 100 concurrent re-claims of a released id', async () => {
    const ledger = await ledgerIn('released');
    const results = await Promise.all(
      Array.from({ length: 100 }, () => ledger.claim(claimFor('pay-1'))),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect((await ledger.get('pay-1'))?.attempts).toBe(2);
  });

  it('lets exactly one of concurrent transitions with the same from win', async () => {
    const ledger = await ledgerIn('verified');
    const outcomes = await Promise.allSettled([
      ledger.transition('pay-1', 'verified', 'settled'),
      ledger.transition('pay-1', 'verified', 'failed'),
      ledger.transition('pay-1', 'verified', 'released'),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes)
      if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(LedgerTransitionError);
    expect((await ledger.get('pay-1'))?.state).toBe('settled');
  });
});

describe('createMemoryLedger: transition', () => {
  const pairs = STATES.flatMap((from) => STATES.map((to) => [from, to] as const));
  const allowed = pairs.filter(([from, to]) => PAYMENT_TRANSITIONS[from].includes(to));
  const disallowed = pairs.filter(([from, to]) => !PAYMENT_TRANSITIONS[from].includes(to));

  it('has both allowed and disallowed pairs to test', () => {
    expect(allowed).toHaveLength(6);
    expect(disallowed).toHaveLength(19);
  });

  it.each(allowed)('allows %s → %s', async (from, to) => {
    const ledger = await ledgerIn(from);
    const before = await ledger.get('pay-1');
    const record = await ledger.transition('pay-1', from, to, { reason: 'because' });
    expect(record.state).toBe(to);
    expect(record.reason).toBe('because');
    expect(record.updatedAt).toBeGreaterThan(before?.updatedAt ?? Number.POSITIVE_INFINITY);
    expect(record.createdAt).toBe(before?.createdAt);
    expect(record.attempts).toBe(before?.attempts);
    expect(await ledger.get('pay-1')).toEqual(record);
  });

  it.each(disallowed)('refuses %s → %s and changes nothing', async (from, to) => {
    const ledger = await ledgerIn(from);
    const before = await ledger.get('pay-1');
    const error = await rejection(ledger.transition('pay-1', from, to, { reason: 'nope' }));
    expect(error.details).toEqual({ paymentId: 'pay-1', from, to });
    expect(await ledger.get('pay-1')).toEqual(before);
  });

  it.each(allowed)(
    'refuses %s → %s when the record is in another state (compare-and-swap)',
    async (from, to) => {
      for (const actual of STATES) {
        if (actual === from) continue;
        const ledger = await ledgerIn(actual);
        const before = await ledger.get('pay-1');
        const error = await rejection(ledger.transition('pay-1', from, to, { payer: '0xpayer' }));
        expect(error.message).toContain(`is ${actual}, expected ${from}`);
        expect(error.details).toEqual({ paymentId: 'pay-1', expected: from, actual });
        expect(await ledger.get('pay-1')).toEqual(before);
      }
    },
  );

  it('refuses a transition of an unknown id', async () => {
    const ledger = createMemoryLedger();
    const error = await rejection(ledger.transition('nope', 'claimed', 'verified'));
    expect(error.message).toContain('unknown');
    expect(error.details).toEqual({ paymentId: 'nope', expected: 'claimed', actual: null });
    expect(await ledger.get('nope')).toBeUndefined();
    expect(ledger.size()).toBe(0);
  });

  it('merges the patch into the record and keeps earlier fields', async () => {
    const ledger = createMemoryLedger({ now: tickingClock() });
    await ledger.claim(claimFor('pay-1'));
    await ledger.transition('pay-1', 'claimed', 'verified', { payer: '0xpayer' });
    const settled = await ledger.transition('pay-1', 'verified', 'settled', {
      transaction: '0xtx',
    });
    expect(settled).toMatchObject({
      ...claimFor('pay-1'),
      state: 'settled',
      payer: '0xpayer',
      transaction: '0xtx',
    });
    const noPatch = await ledgerIn('claimed');
    const verified = await noPatch.transition('pay-1', 'claimed', 'verified');
    expect(verified.payer).toBeUndefined();
    expect(verified.reason).toBeUndefined();
  });

  it('rejects asynchronously (a promise), not synchronously', () => {
    const ledger = createMemoryLedger();
    const pending = ledger.transition('x', 'settled', 'claimed');
    expect(pending).toBeInstanceOf(Promise);
    return expect(pending).rejects.toBeInstanceOf(LedgerTransitionError);
  });
});

describe('createMemoryLedger: copies', () => {
  it('returns copies from claim, transition and get', async () => {
    const ledger = createMemoryLedger({ now: tickingClock() });
    const claimed = await ledger.claim(claimFor('pay-1'));
    claimed.record.state = 'settled';
    claimed.record.amount = '999999999';
    claimed.record.attempts = 42;
    expect(await ledger.get('pay-1')).toMatchObject({
      state: 'claimed',
      amount: '10000',
      attempts: 1,
    });

    const verified = await ledger.transition('pay-1', 'claimed', 'verified');
    verified.state = 'released';
    verified.payer = 'mallory';
    expect(await ledger.get('pay-1')).toMatchObject({ state: 'verified' });
    expect((await ledger.get('pay-1'))?.payer).toBeUndefined();

    const got = await ledger.get('pay-1');
    if (!got) throw new Error('missing record');
    got.state = 'released';
    expect((await ledger.get('pay-1'))?.state).toBe('verified');
    // A mutated copy must not make the id claimable.
    expect((await ledger.claim(claimFor('pay-1'))).claimed).toBe(false);

    const refused = await ledger.claim(claimFor('pay-1'));
    refused.record.state = 'released';
    expect((await ledger.claim(claimFor('pay-1'))).claimed).toBe(false);
  });

  it('does not keep a reference to the claim object', async () => {
    const ledger = createMemoryLedger();
    const claim = claimFor('pay-1');
    await ledger.claim(claim);
    claim.amount = '1';
    expect((await ledger.get('pay-1'))?.amount).toBe('10000');
  });

  it('uses Date.now by default', async () => {
    const before = Date.now();
    const { record } = await createMemoryLedger().claim(claimFor('pay-1'));
    expect(record.createdAt).toBeGreaterThanOrEqual(before);
    expect(record.createdAt).toBeLessThanOrEqual(Date.now());
  });
});

describe('LedgerTransitionError', () => {
  it('is an X402Error', async () => {
    const ledger = createMemoryLedger();
    const error = await rejection(ledger.transition('x', 'claimed', 'verified'));
    expect(error).toBeInstanceOf(X402Error);
    expect(error.name).toBe('LedgerTransitionError');
  });
});
