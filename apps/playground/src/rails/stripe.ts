/**
 * The Stripe card rail on a local Stripe: the Stripe test double from @x402-rails/testkit on
 * 127.0.0.1 (started here, stopped with the playground), a facilitator holding the test account's
 * secret key, and an agent paying with Stripe's test card `tok_visa` (a fresh PaymentMethod per
 * payment, made with the merchant's publishable key as Stripe.js would). Stripe's minimum charge
 * ($0.50) keeps this rail off the cheaper routes.
 */
import { parseMoney, type SchemeClient } from '@x402-rails/core';
import { createStripeCardClient, testCardCredential } from '@x402-rails/stripe/client';
import {
  createStripeCardFacilitator,
  type StripeCardFacilitator,
} from '@x402-rails/stripe/facilitator';
import { createStripeCardServer, STRIPE_MINIMUM_CHARGE } from '@x402-rails/stripe/server';
import {
  type StripeDouble,
  startStripeDouble,
  testCardFingerprint,
} from '@x402-rails/testkit/stripe';
import type { PlaygroundRail } from './rail.js';

const CURRENCY = 'usd';
const TEST_TOKEN = 'tok_visa';
const SWEEP_INTERVAL_MS = 60_000;
/** A card has no balance to read: the agent's is this notional limit ($100) less what was charged. */
export const CARD_LIMIT = 10_000n;

export interface StripePlaygroundRail extends PlaygroundRail {
  readonly name: 'stripe';
  readonly double: StripeDouble;
  readonly facilitator: StripeCardFacilitator;
  readonly agent: {
    readonly address: string;
    readonly client: SchemeClient;
    readonly token: string;
  };
  readonly merchant: {
    readonly address: string;
    readonly secretKey: string;
    readonly publishableKey: string;
  };
  /** Whether a human price is at least Stripe's minimum charge. */
  acceptsPrice(price: string): boolean;
}

/** Starts the Stripe double; closes it again if any later step fails. */
export async function startStripePlaygroundRail(): Promise<StripePlaygroundRail> {
  // The playground is long-running: a response that drifts from Stripe's shapes is logged, not thrown.
  const double = await startStripeDouble({ onShapeError: 'log' });
  try {
    return await onDouble(double);
  } catch (error) {
    await double.close();
    throw error;
  }
}

async function onDouble(double: StripeDouble): Promise<StripePlaygroundRail> {
  const { account, connection } = double;
  // The card's fingerprint is the payer as the double counts it (every tok_visa PaymentMethod shares it).
  const fingerprint = testCardFingerprint(TEST_TOKEN);
  if (!fingerprint) throw new Error(`${TEST_TOKEN} is not a test card of the Stripe double`);
  const facilitator = createStripeCardFacilitator({
    secretKey: account.secretKey,
    accountId: account.id,
    publishableKey: account.publishableKey,
    connection,
  });
  const stopSweeper = facilitator.startSweeper(SWEEP_INTERVAL_MS);
  const minimum = STRIPE_MINIMUM_CHARGE[CURRENCY] ?? 50n;
  const balances = async () => ({
    agent: CARD_LIMIT + BigInt(double.balanceOf(fingerprint, CURRENCY)),
    merchant: BigInt(double.balanceOf(account.id, CURRENCY)),
  });
  let stopped: Promise<void> | undefined;

  return {
    name: 'stripe',
    scheme: 'shared-payment-token',
    network: facilitator.network,
    asset: { id: CURRENCY, symbol: 'USD', decimals: 2 },
    server: createStripeCardServer({ publishableKey: account.publishableKey, currency: CURRENCY }),
    facilitator,
    double,
    agent: {
      address: fingerprint,
      token: TEST_TOKEN,
      client: createStripeCardClient({
        credential: testCardCredential({ token: TEST_TOKEN, connection }),
        networks: [facilitator.network],
      }),
    },
    merchant: {
      address: account.id,
      secretKey: account.secretKey,
      publishableKey: account.publishableKey,
    },
    acceptsPrice(price) {
      try {
        return parseMoney(price, 2) >= minimum;
      } catch {
        return false;
      }
    },
    balances,
    async describe() {
      const now = await balances();
      return {
        rail: {
          name: 'stripe',
          network: facilitator.network,
          rpc: double.url,
          note: `A local Stripe test double (stopped with the playground): cards are authorized on verify and captured on settle; the agent pays with ${TEST_TOKEN}; its balance is a notional $100 card limit less what the card was charged. Only routes priced at Stripe's $0.50 minimum or more offer it.`,
        },
        chains: [],
        wallets: [
          {
            rail: 'stripe',
            role: 'agent',
            address: fingerprint,
            token: TEST_TOKEN,
            balance: now.agent.toString(),
          },
          {
            rail: 'stripe',
            role: 'merchant',
            address: account.id,
            secretKey: account.secretKey,
            publishableKey: account.publishableKey,
            balance: now.merchant.toString(),
          },
        ],
      };
    },
    stop() {
      stopped ??= (async () => {
        stopSweeper();
        await double.close();
      })();
      return stopped;
    },
  };
}
