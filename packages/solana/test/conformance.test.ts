/** The testkit's rail conformance suite, run against the Solana rail on the local LiteSVM RPC. */
import { runRailConformance } from '@x402-rails/testkit/conformance';
import { SolanaReason } from '../src/index.js';
import { rig } from './helpers.js';

runRailConformance({
  name: 'solana exact on LiteSVM',
  fuzzRuns: 50,
  async setup() {
    const r = await rig();
    const other = await r.chain.newWallet({ usdc: 0n });
    return {
      client: r.client,
      server: r.server,
      facilitator: r.facilitator,
      requirements: r.requirements,
      payer: r.payer.address,
      balanceOf: (owner) => r.chain.tokenBalanceOf(owner as never),
      otherPayTo: other.address,
      otherAsset: await r.chain.createMint(),
      otherNetwork: 'solana:11111111111111111111111111111111',
      reasons: {
        amount: [SolanaReason.amountMismatch],
        payTo: [SolanaReason.recipientMismatch],
        asset: [SolanaReason.mintMismatch],
        network: [SolanaReason.invalidNetwork],
        replay: [SolanaReason.alreadySettled],
      },
      close: () => r.close(),
    };
  },
});
