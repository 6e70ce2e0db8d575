/**
 * The testkit conformance suite on the credit-backed binding (memory store, no card: settle only
 * records the voucher). As on chain, "balances" are the ledger's commitments: what is charged to
 * the payer and owed to the receiver (collected later by card: test/credit-redeem.test.ts).
 *
 * A credit channel is one per payer, receiver and period (salt zero), and the suite creates
 * payments it never presents, which on one channel would leave the client ahead of the server
 * (only the corrective 402 round trip resolves that: test/credit-verify.test.ts). So every payment
 * is made by a fresh billing identity, and `payer` stands for all of them together.
 * Vouchers have no time window: the expired / not-yet-valid cases are skipped.
 */
import type { SchemeClient } from '@x402-rails/core';
import { openStore } from '@x402-rails/store';
import { runRailConformance } from '@x402-rails/testkit/conformance';
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from 'viem/accounts';
import { createCreditClient } from '../src/credit/client.js';
import { createCreditFacilitator } from '../src/credit/facilitator.js';
import { CreditReason } from '../src/credit/reasons.js';
import { createCreditServer } from '../src/credit/server.js';
import { DeferredReason } from '../src/reasons.js';
import { ledgerConfig, NETWORK } from './credit-rig.js';

runRailConformance({
  name: 'deferred, credit-backed (batch-settlement)',
  fuzzRuns: 50,
  async setup() {
    const store = await openStore({ driver: 'memory' });
    const facilitator = createCreditFacilitator({
      ledger: store.deferredLedger,
      accounts: store.creditAccounts,
      networks: [ledgerConfig],
    });
    const server = createCreditServer({ networks: [ledgerConfig], channels: facilitator });
    const register = (payer: `0x${string}`) =>
      store.creditAccounts.register(
        {
          payer,
          customer: 'cus_conformance',
          paymentMethod: 'pm_conformance',
          creditLimit: 10n ** 12n,
          currency: 'usd',
        },
        Date.now(),
      );
    const payer = privateKeyToAccount(generatePrivateKey()).address;
    const template = createCreditClient({ privateKey: generatePrivateKey() });
    const channels: `0x${string}`[] = [];
    const client: SchemeClient = {
      scheme: template.scheme,
      networks: template.networks,
      async create(context) {
        const key = generatePrivateKey();
        await register(privateKeyToAccount(key).address);
        const rail = createCreditClient({ privateKey: key });
        channels.push(rail.channelFor(context.requirements).channelId);
        return rail.create(context);
      },
    };
    const requirements = await server.requirements({
      scheme: 'batch-settlement',
      network: NETWORK,
      price: { atomic: { amount: '1000', asset: 'usd' } },
      payTo: privateKeyToAddress(generatePrivateKey()),
      maxTimeoutSeconds: 60,
      request: new Request('http://127.0.0.1/conformance/resource'),
    });
    const balanceOf = async (address: string) => {
      let sum = 0n;
      for (const id of channels) {
        const channel = await store.deferredLedger.get(id);
        if (!channel) continue;
        if (channel.receiver.toLowerCase() === address.toLowerCase()) sum += channel.charged;
        if (address === payer) sum -= channel.charged;
      }
      return sum;
    };
    return {
      client,
      server,
      facilitator,
      requirements,
      payer,
      balanceOf,
      otherPayTo: privateKeyToAddress(generatePrivateKey()),
      otherAsset: 'eur',
      reasons: {
        amount: [DeferredReason.cumulativeMismatch],
        payTo: [DeferredReason.receiverMismatch],
        asset: [CreditReason.currencyMismatch],
        replay: [DeferredReason.cumulativeMismatch, 'payment_already_used'],
      },
      close: () => store.close(),
    };
  },
});
