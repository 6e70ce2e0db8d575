/** The testkit's rail conformance suite, run against the EVM rail on Anvil. */
import { runRailConformance } from '@x402-rails/testkit/conformance';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createEvmExactClient } from '../src/client.js';
import { EvmReason } from '../src/index.js';
import { rig } from './helpers.js';

runRailConformance({
  name: 'evm exact on Anvil',
  fuzzRuns: 50,
  async setup() {
    const r = await rig();
    return {
      client: r.client,
      server: r.server,
      facilitator: r.facilitator,
      requirements: r.requirements,
      payer: r.payer.address,
      balanceOf: (address) => r.chain.balanceOf(address as Hex),
      otherPayTo: privateKeyToAccount(generatePrivateKey()).address,
      // A second EIP-3009 token with the same name and version: the signature names the first.
      otherAsset: r.chain.otherToken,
      otherNetwork: 'eip155:999999',
      clientAt: (offset) =>
        createEvmExactClient({ signer: r.payer.account, now: () => Date.now() + offset * 1000 }),
      reasons: {
        amount: [EvmReason.valueMismatch],
        payTo: [EvmReason.recipientMismatch],
        asset: [EvmReason.signature],
        network: [EvmReason.invalidNetwork],
        expired: [EvmReason.validBefore],
        notYetValid: [EvmReason.validAfter],
        replay: [EvmReason.nonceUsed],
      },
      close: () => r.close(),
    };
  },
});
