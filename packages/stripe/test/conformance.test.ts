/** The testkit's rail conformance suite, run against the Stripe card rail on the Stripe double. */
import { runRailConformance } from '@x402-rails/testkit/conformance';
import { createStripeCardClient } from '../src/client.js';
import { rig } from './helpers.js';

runRailConformance({
  name: 'stripe card on the Stripe double',
  fuzzRuns: 50,
  async setup() {
    const r = await rig();
    return {
      client: createStripeCardClient({ credential: async () => 'pm_card_visa' }),
      server: r.server,
      facilitator: r.facilitator,
      requirements: r.requirements('$1.00'),
      payer: await r.fingerprintOf('tok_visa'),
      balanceOf: async (holder) => BigInt(r.double.balanceOf(holder, 'usd')),
      otherPayTo: r.double.createAccount().id,
      otherAsset: 'eur',
      close: r.close,
    };
  },
});
