/**
 * The payment ledger's behaviour, the same suite on every driver: what core's in-memory ledger
 * promises (claims, re-claims after release, every allowed and refused transition,
 * compare-and-swap failures that change nothing, records returned as copies).
 */
import {
  LedgerTransitionError,
  PAYMENT_TRANSITIONS,
  type PaymentState,
  X402Error,
} from '@x402-rails/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/index.js';
import {
  claimFor,
  cleanup,
  driversUnderTest,
  rejectionOf,
  type TestClock,
  testClock,
  uniqueId,
} from './harness.js';

const STATES: readonly PaymentState[] = ['claimed', 'verified', 'settled', 'failed', 'released'];
const pairs = STATES.flatMap((from) => STATES.map((to) => [from, to] as const));
const allowed = pairs.filter(([from, to]) => PAYMENT_TRANSITIONS[from].includes(to));
const disallowed = pairs.filter(([from, to]) => !PAYMENT_TRANSITIONS[from].includes(to));

/** The shortest path of allowed transitions from `claimed` to `target`, from the table itself. */
function pathTo(target: PaymentState): PaymentState[] {
  const queue: PaymentState[][] = [['claimed']];
  while (queue.length > 0) {
    const path = queue.shift() as PaymentState[];
    const last = path[path.length - 1] as PaymentState;
    if (last === target) return path;
    for (const next of PAYMENT_TRANSITIONS[last])
      if (!path.includes(next)) queue.push([...path, next]);
  }
  throw new Error(`state ${target} is unreachable from claimed`);
}

async function transitionError(promise: Promise<unknown>): Promise<LedgerTransitionError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(LedgerTransitionError);
  expect((error as LedgerTransitionError).code).toBe('invalid_transaction_state');
  return error as LedgerTransitionError;
}

afterAll(cleanup);

for (const target of driversUnderTest()) {
  describe.skipIf(target.skip)(`payments on ${target.title}`, () => {
    let store: Store;
    let clock: TestClock;
    beforeAll(async () => {
      clock = testClock();
      store = await target.fresh({ now: clock.now });
    });

    /** A new payment id in `state`, reached only through allowed transitions. */
    async function paymentIn(state: PaymentState): Promise<string> {
      const id = uniqueId('pay');
      expect((await store.payments.claim(claimFor(id))).claimed).toBe(true);
      const path = pathTo(state);
      for (let i = 1; i < path.length; i++) {
        await store.payments.transition(id, path[i - 1] as PaymentState, path[i] as PaymentState);
      }
      expect((await store.payments.get(id))?.state).toBe(state);
      return id;
    }

    describe('claim', () => {
      it('claims a new id', async () => {
        const id = uniqueId('pay');
        const result = await store.payments.claim(claimFor(id));
        expect(result.claimed).toBe(true);
        expect(result.record).toEqual({
          ...claimFor(id),
          state: 'claimed',
          attempts: 1,
          createdAt: result.record.createdAt,
          updatedAt: result.record.createdAt,
        });
        expect(result.record.createdAt).toBeLessThan(clock.peek());
        expect(await store.payments.get(id)).toEqual(result.record);
      });

      it('does not claim an id twice and returns the existing record untouched', async () => {
        const id = uniqueId('pay');
        const first = await store.payments.claim(claimFor(id));
        const second = await store.payments.claim({
          ...claimFor(id),
          amount: '1',
          resource: 'https://elsewhere.example',
        });
        expect(second.claimed).toBe(false);
        expect(second.record).toEqual(first.record);
        expect(second.record.amount).toBe('10000');
        expect(await store.payments.get(id)).toEqual(first.record);
      });

      it('keeps ids independent', async () => {
        const [a, b] = [uniqueId('a'), uniqueId('b')];
        expect((await store.payments.claim(claimFor(a))).claimed).toBe(true);
        expect((await store.payments.claim(claimFor(b))).claimed).toBe(true);
        await store.payments.transition(a, 'claimed', 'verified');
        expect((await store.payments.get(b))?.state).toBe('claimed');
      });

      it.each(['claimed', 'verified', 'settled', 'failed'] as const)(
        'refuses to re-claim a %s payment',
        async (state) => {
          const id = await paymentIn(state);
          const before = await store.payments.get(id);
          const result = await store.payments.claim(claimFor(id));
          expect(result.claimed).toBe(false);
          expect(result.record.state).toBe(state);
          expect(result.record).toEqual(before);
          expect(await store.payments.get(id)).toEqual(before);
        },
      );

      it('re-claims a released payment: attempts increments, createdAt is kept', async () => {
        const id = uniqueId('pay');
        const first = await store.payments.claim(claimFor(id));
        await store.payments.transition(id, 'claimed', 'released', {
          reason: 'facilitator_unavailable',
          payer: '0xpayer',
        });
        const again = await store.payments.claim({
          ...claimFor(id),
          resource: 'https://b.example',
        });
        expect(again.claimed).toBe(true);
        expect(again.record).toEqual({
          ...claimFor(id),
          resource: 'https://b.example',
          state: 'claimed',
          attempts: 2,
          createdAt: first.record.createdAt,
          updatedAt: again.record.updatedAt,
        });
        expect(again.record.updatedAt).toBeGreaterThan(first.record.updatedAt);
        expect(again.record.reason).toBeUndefined();
        expect(again.record.payer).toBeUndefined();
        // A third round after verify → released.
        await store.payments.transition(id, 'claimed', 'verified');
        await store.payments.transition(id, 'verified', 'released');
        const third = await store.payments.claim(claimFor(id));
        expect(third.record).toMatchObject({ attempts: 3, createdAt: first.record.createdAt });
        // And it is then settled once and for all.
        await store.payments.transition(id, 'claimed', 'verified');
        await store.payments.transition(id, 'verified', 'settled', { transaction: '0xabc' });
        expect((await store.payments.claim(claimFor(id))).claimed).toBe(false);
      });
    });

    describe('transition', () => {
      it('has both allowed and disallowed pairs to test', () => {
        expect(allowed).toHaveLength(6);
        expect(disallowed).toHaveLength(19);
      });

      it.each(allowed)('allows %s → %s', async (from, to) => {
        const id = await paymentIn(from);
        const before = await store.payments.get(id);
        const record = await store.payments.transition(id, from, to, { reason: 'because' });
        expect(record.state).toBe(to);
        expect(record.reason).toBe('because');
        expect(record.updatedAt).toBeGreaterThan(before?.updatedAt ?? Number.POSITIVE_INFINITY);
        expect(record.createdAt).toBe(before?.createdAt);
        expect(record.attempts).toBe(before?.attempts);
        expect(await store.payments.get(id)).toEqual(record);
      });

      it.each(disallowed)('refuses %s → %s and changes nothing', async (from, to) => {
        const id = await paymentIn(from);
        const before = await store.payments.get(id);
        const error = await transitionError(
          store.payments.transition(id, from, to, { reason: 'nope' }),
        );
        expect(error.details).toEqual({ paymentId: id, from, to });
        expect(await store.payments.get(id)).toEqual(before);
      });

      it.each(allowed)(
        'refuses %s → %s when the record is in another state (compare-and-swap)',
        async (from, to) => {
          for (const actual of STATES) {
            if (actual === from) continue;
            const id = await paymentIn(actual);
            const before = await store.payments.get(id);
            const error = await transitionError(
              store.payments.transition(id, from, to, { payer: '0xpayer' }),
            );
            expect(error.message).toContain(`is ${actual}, expected ${from}`);
            expect(error.details).toEqual({ paymentId: id, expected: from, actual });
            expect(await store.payments.get(id)).toEqual(before);
          }
        },
      );

      it('refuses a transition of an unknown id', async () => {
        const id = uniqueId('nope');
        const error = await transitionError(store.payments.transition(id, 'claimed', 'verified'));
        expect(error.message).toContain('unknown');
        expect(error.details).toEqual({ paymentId: id, expected: 'claimed', actual: null });
        expect(await store.payments.get(id)).toBeUndefined();
      });

      it('merges the patch into the record and keeps earlier fields', async () => {
        const id = uniqueId('pay');
        await store.payments.claim(claimFor(id));
        await store.payments.transition(id, 'claimed', 'verified', { payer: '0xpayer' });
        const done = await store.payments.transition(id, 'verified', 'settled', {
          transaction: '0xtx',
        });
        expect(done).toMatchObject({
          ...claimFor(id),
          state: 'settled',
          payer: '0xpayer',
          transaction: '0xtx',
        });
        const other = await paymentIn('claimed');
        const verified = await store.payments.transition(other, 'claimed', 'verified');
        expect(verified.payer).toBeUndefined();
        expect(verified.reason).toBeUndefined();
        expect(verified.transaction).toBeUndefined();
      });

      it('lists stale in-flight payments (claimed, verified) oldest first, for crash recovery', async () => {
        const a = uniqueId('stale');
        const b = uniqueId('stale');
        await store.payments.claim(claimFor(a));
        clock.advance(10);
        await store.payments.claim(claimFor(b));
        await store.payments.transition(b, 'claimed', 'verified');
        const done = uniqueId('done');
        await store.payments.claim(claimFor(done));
        await store.payments.transition(done, 'claimed', 'released');
        clock.advance(1_000);
        const stale = (await store.payments.stale(clock.peek(), 1_000)).map((r) => r.paymentId);
        expect(stale.indexOf(a)).toBeGreaterThanOrEqual(0);
        expect(stale.indexOf(a)).toBeLessThan(stale.indexOf(b));
        expect(stale).not.toContain(done);
        expect((await store.payments.stale(clock.peek(), 1)).length).toBe(1);
        clock.advance(1);
        const fresh = uniqueId('fresh');
        await store.payments.claim(claimFor(fresh));
        expect(
          (await store.payments.stale(clock.peek() - 1, 1_000)).map((r) => r.paymentId),
        ).not.toContain(fresh);
      });

      it('is idempotent: a repeated transition returns the record; a conflicting repeat is refused', async () => {
        const id = uniqueId('pay');
        await store.payments.claim(claimFor(id));
        await store.payments.transition(id, 'claimed', 'verified', { payer: '0xpayer' });
        const first = await store.payments.transition(id, 'verified', 'settled', {
          transaction: '0xtx',
        });
        const again = await store.payments.transition(id, 'verified', 'settled', {
          transaction: '0xtx',
        });
        expect(again).toEqual(first);
        const conflicting = await transitionError(
          store.payments.transition(id, 'verified', 'settled', { transaction: '0xother' }),
        );
        expect(conflicting.details).toEqual({
          paymentId: id,
          expected: 'verified',
          actual: 'settled',
        });
        expect(await store.payments.get(id)).toEqual(first);
      });

      it('rejects asynchronously (a promise), and with an X402Error', async () => {
        const pending = store.payments.transition(uniqueId('x'), 'settled', 'claimed');
        expect(pending).toBeInstanceOf(Promise);
        const error = await transitionError(pending);
        expect(error).toBeInstanceOf(X402Error);
        expect(error.name).toBe('LedgerTransitionError');
      });
    });

    describe('copies', () => {
      it('returns copies from claim, transition and get', async () => {
        const id = uniqueId('pay');
        const claimed = await store.payments.claim(claimFor(id));
        claimed.record.state = 'settled';
        claimed.record.amount = '999999999';
        claimed.record.attempts = 42;
        expect(await store.payments.get(id)).toMatchObject({
          state: 'claimed',
          amount: '10000',
          attempts: 1,
        });
        const verified = await store.payments.transition(id, 'claimed', 'verified');
        verified.state = 'released';
        verified.payer = 'mallory';
        expect(await store.payments.get(id)).toMatchObject({ state: 'verified' });
        expect((await store.payments.get(id))?.payer).toBeUndefined();
        const got = await store.payments.get(id);
        if (!got) throw new Error('missing record');
        got.state = 'released';
        // A mutated copy must not make the id claimable.
        expect((await store.payments.claim(claimFor(id))).claimed).toBe(false);
      });

      it('does not keep a reference to the claim object', async () => {
        const id = uniqueId('pay');
        const claim = claimFor(id);
        await store.payments.claim(claim);
        claim.amount = '1';
        expect((await store.payments.get(id))?.amount).toBe('10000');
      });

      it('stores only the claim fields an untyped caller passes', async () => {
        const id = uniqueId('pay');
        const sneaky = { ...claimFor(id), state: 'settled', attempts: 99, createdAt: 1 };
        const { record } = await store.payments.claim(sneaky);
        expect(record).toMatchObject({ state: 'claimed', attempts: 1 });
        expect(record.createdAt).not.toBe(1);
      });
    });
  });
}
