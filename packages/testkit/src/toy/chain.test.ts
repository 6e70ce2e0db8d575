import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createToyChain } from './chain.js';

describe('toy chain persistence', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('outlives the process: a second chain on the same file sees balances, nonces, holds and transfers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'toy-chain-'));
    dirs.push(dir);
    const file = join(dir, 'chain.json');
    const first = createToyChain({ file });
    first.mint('a', 100n);
    first.placeHold('h', 'a', 5n);
    expect(first.transfer({ from: 'a', to: 'b', amount: 30n, nonce: 'n1', id: 't1' }).ok).toBe(
      true,
    );
    const second = createToyChain({ file });
    expect(second.balanceOf('a')).toBe(70n);
    expect(second.balanceOf('b')).toBe(30n);
    expect(second.available('a')).toBe(65n);
    expect(second.isNonceUsed('a', 'n1')).toBe(true);
    expect(second.findTransfer('a', 'n1')).toEqual({
      id: 't1',
      from: 'a',
      to: 'b',
      amount: 30n,
      nonce: 'n1',
    });
    expect(second.transfer({ from: 'a', to: 'b', amount: 1n, nonce: 'n1', id: 't2' })).toEqual({
      ok: false,
      reason: 'payment_already_used',
    });
  });

  it('keeps nothing on disk without a file', () => {
    const chain = createToyChain();
    chain.mint('a', 1n);
    expect(createToyChain().balanceOf('a')).toBe(0n);
  });
});
