// my-rail.test.ts — run the conformance suite against your rail (vitest)
import { createToyClient, createToyRail, createToyWallet } from '@x402-rails/testkit';
import { runRailConformance } from '@x402-rails/testkit/conformance';

runRailConformance({
  name: 'toy rail',
  async setup() {
    const toy = createToyRail();
    const { wallet, client } = toy.fundedClient(1_000_000_000n);
    const requirements = {
      scheme: 'exact',
      network: toy.network,
      amount: '10000',
      asset: 'TOY',
      payTo: createToyWallet().address,
      maxTimeoutSeconds: 60,
    } as const;
    return {
      client,
      server: toy.server,
      facilitator: toy.facilitator,
      requirements,
      payer: wallet.address,
      balanceOf: async (address: string) => toy.chain.balanceOf(address),
      otherPayTo: createToyWallet().address,
      otherAsset: 'NOT-TOY',
      clientAt: (offset: number) =>
        createToyClient({ wallet, network: toy.network, now: () => Date.now() + offset * 1000 }),
    };
  },
});
