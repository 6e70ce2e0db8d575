/**
 * The testkit conformance suite on the deferred rail (Anvil escrow, memory channel ledger).
 *
 * Two adaptations, because a deferred rail moves no money at settle and its vouchers are
 * cumulative per channel:
 * - "balances" are the channel ledger's commitments: what is charged to the payer and owed to the
 *   receiver (the escrow pays later, at redemption: test/redeem.test.ts);
 * - the suite's client opens a fresh, funded channel for every payment. The suite creates payments
 *   it never presents; on one channel those would leave the client ahead of the server, which only
 *   the corrective 402 round trip resolves (test/roles.test.ts covers that).
 * There are no time windows on a voucher: the expired / not-yet-valid cases are skipped.
 */
import type { SchemeClient } from '@x402-rails/core';
import { type EvmTestChain, startEvmTestChain } from '@x402-rails/testkit/anvil';
import { runRailConformance } from '@x402-rails/testkit/conformance';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { createDeferredClient } from '../src/client/client.js';
import { createDeferredFacilitator } from '../src/facilitator/facilitator.js';
import { createMemoryDeferredLedger } from '../src/ledger.js';
import { DeferredReason } from '../src/reasons.js';
import { createDeferredServer } from '../src/server/server.js';
import { escrowHarness } from './helpers.js';

runRailConformance({
  name: 'deferred (batch-settlement)',
  fuzzRuns: 50,
  async setup() {
    const chain: EvmTestChain = await startEvmTestChain();
    const escrows = await chain.deployDeferredEscrow();
    const h = escrowHarness(chain, escrows.escrow, escrows.collector);
    const ledger = createMemoryDeferredLedger();
    const facilitator = createDeferredFacilitator({
      ledger,
      networks: [{ network: chain.network, escrow: escrows.escrow, client: chain.publicClient }],
    });
    const server = createDeferredServer({
      networks: [
        {
          network: chain.network,
          asset: { address: chain.token, name: 'USD Coin', version: '2' },
          withdrawDelay: 900,
        },
      ],
      channels: facilitator,
    });
    const payer = (await chain.newWallet({ usdc: 100_000_000n })).account;
    const merchant = privateKeyToAddress(generatePrivateKey());
    const channels: Hex[] = [];
    const template = createDeferredClient({
      signer: payer,
      escrows: { [chain.network]: escrows.escrow },
    });
    const client: SchemeClient = {
      scheme: template.scheme,
      networks: template.networks,
      async create(context) {
        const salt = generatePrivateKey();
        const rail = createDeferredClient({
          signer: payer,
          escrows: { [chain.network]: escrows.escrow },
          saltFor: () => salt,
        });
        const { config, channelId } = rail.channelFor(context.requirements);
        await h.depositApproved(payer, config, 100_000n);
        channels.push(channelId);
        return rail.create(context);
      },
    };
    const requirements = await server.requirements({
      scheme: 'batch-settlement',
      network: chain.network,
      price: { atomic: { amount: '1000', asset: chain.token } },
      payTo: merchant,
      maxTimeoutSeconds: 60,
      request: new Request('http://127.0.0.1/conformance/resource'),
    });
    const chargedTo = async (party: 'payer' | 'receiver', address: string) => {
      let sum = 0n;
      for (const id of channels) {
        const channel = await ledger.get(id);
        if (channel && channel[party].toLowerCase() === address.toLowerCase())
          sum += channel.charged;
      }
      return sum;
    };
    return {
      client,
      server,
      facilitator,
      requirements,
      payer: payer.address,
      async balanceOf(address: string) {
        return (await chargedTo('receiver', address)) - (await chargedTo('payer', address));
      },
      otherPayTo: privateKeyToAddress(generatePrivateKey()),
      otherAsset: chain.otherToken,
      reasons: {
        amount: [DeferredReason.cumulativeMismatch],
        payTo: [DeferredReason.receiverMismatch],
        asset: [DeferredReason.tokenMismatch],
        replay: [DeferredReason.cumulativeMismatch, 'payment_already_used'],
      },
      close: () => chain.stop(),
    };
  },
});
