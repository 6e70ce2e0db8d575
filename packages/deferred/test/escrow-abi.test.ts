/** The package's copy of the escrow ABI must be the compiled contract's. */
import { DeferredEscrow } from '@x402-rails/testkit/anvil';
import { expect, it } from 'vitest';
import { escrowAbi } from '../src/escrow-abi.js';

it('matches the compiled DeferredEscrow for every entry it has', () => {
  for (const entry of escrowAbi) {
    const compiled = DeferredEscrow.abi.find((e) => 'name' in e && e.name === entry.name);
    expect(compiled, entry.name).toEqual(entry);
  }
  const names = escrowAbi.map((e) => e.name);
  expect(names).toEqual(expect.arrayContaining(['deposit', 'claim', 'channels', 'Claimed']));
});
