/**
 * The toy rail with holds (verify reserves, release voids) through the conformance suite; the
 * plain toy rail runs it in test/readme-example.test.ts, which is the README's example.
 */

import { runRailConformance } from '../src/conformance.js';
import { createToyClient, createToyRail, createToyWallet, TOY_ASSET } from '../src/index.js';

runRailConformance({
  name: 'toy rail with holds',
  async setup() {
    const toy = createToyRail({ holds: true });
    const { wallet, client } = toy.fundedClient(1_000_000_000n);
    return {
      client,
      server: toy.server,
      facilitator: toy.facilitator,
      requirements: {
        scheme: 'exact',
        network: toy.network,
        amount: '10000',
        asset: TOY_ASSET,
        payTo: createToyWallet().address,
        maxTimeoutSeconds: 60,
      },
      payer: wallet.address,
      balanceOf: async (address) => toy.chain.balanceOf(address),
      // Holds reduce what is spendable, not the balance: the suite's "verify moves no money" holds.
      otherPayTo: createToyWallet().address,
      otherAsset: 'NOT-TOY',
      clientAt: (offset) =>
        createToyClient({ wallet, network: toy.network, now: () => Date.now() + offset * 1000 }),
    };
  },
});
