import type { PaymentRequirements } from '@x402-rails/core';
import { runRailConformance } from '../src/conformance.js';
import { createToyClient, createToyRail, createToyWallet, TOY_ASSET } from '../src/index.js';

for (const holds of [false, true]) {
  runRailConformance({
    name: holds ? 'toy rail with holds' : 'toy rail',
    async setup() {
      const toy = createToyRail({ holds });
      const { wallet, client } = toy.fundedClient(1_000_000_000n);
      const merchant = createToyWallet();
      const requirements: PaymentRequirements = {
        scheme: 'exact',
        network: toy.network,
        amount: '10000',
        asset: TOY_ASSET,
        payTo: merchant.address,
        maxTimeoutSeconds: 60,
        extra: { name: 'Toy Dollar', decimals: 6 },
      };
      return {
        client,
        server: toy.server,
        facilitator: toy.facilitator,
        requirements,
        payer: wallet.address,
        balanceOf: async (address) => toy.chain.balanceOf(address),
        otherPayTo: createToyWallet().address,
        otherAsset: 'NOT-TOY',
        clientAt: (offset) =>
          createToyClient({ wallet, network: toy.network, now: () => Date.now() + offset * 1000 }),
      };
    },
  });
}
