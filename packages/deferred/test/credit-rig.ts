/**
 * A shop selling on credit: the Stripe double (driven through the real SDK), a store (PGlite by
 * default) holding the channel ledger, billing identities and the charge journal, the credit
 * binding's roles wired through core's engines, a clock the test moves, and buyers with a saved card.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPaymentClient, type PaymentClient } from '@x402-rails/core/client';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { createResourceServer, type ResourceServer } from '@x402-rails/core/server';
import { openStore, type Store } from '@x402-rails/store';
import { type StripeDouble, startStripeDouble } from '@x402-rails/testkit/stripe';
import Stripe from 'stripe';
import type { Hex, LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from 'viem/accounts';
import { type CreditClient, createCreditClient } from '../src/credit/client.js';
import {
  type CreditFacilitator,
  type CreditLedgerConfig,
  createCreditFacilitator,
} from '../src/credit/facilitator.js';
import { type RedeemCreditOptions, redeemCredit } from '../src/credit/redeem.js';
import { createCreditServer } from '../src/credit/server.js';

export const URL = 'http://127.0.0.1/paid';
export const DAY = 86_400;
export const NETWORK = 'credit:test' as const;
export const LEDGER_ADDRESS: Hex = '0x00000000000000000000000000000000000c4ed1';

export interface Clock {
  now: () => number;
  /** Moves the clock past the current period's end (and `extraSeconds` further). */
  nextPeriod(extraSeconds?: number): void;
}

export function periodClock(start = Date.UTC(2026, 0, 1, 12)): Clock {
  let time = start;
  return {
    now: () => time,
    nextPeriod(extraSeconds = 0) {
      time = (Math.floor(time / 1000 / DAY) + 1) * DAY * 1000 + 1000 + extraSeconds * 1000;
    },
  };
}

export interface CreditShop {
  double: StripeDouble;
  stripe: Stripe;
  store: Store;
  clock: Clock;
  facilitator: CreditFacilitator;
  server: ResourceServer;
  merchant: Hex;
  route: { accepts: { scheme: string; network: typeof NETWORK; price: string; payTo: string } };
  handle(request: Request): Promise<Response>;
  redeem(extra?: Partial<RedeemCreditOptions>): ReturnType<typeof redeemCredit>;
  /** Closes the store and the double, and removes the data directory. */
  close(): Promise<void>;
}

export interface CreditBuyer {
  account: LocalAccount;
  key: Hex;
  customer: string;
  paymentMethod: string;
  rail: CreditClient;
  client: PaymentClient;
}

export const ledgerConfig: CreditLedgerConfig = {
  network: NETWORK,
  ledgerAddress: LEDGER_ADDRESS,
  periodSeconds: DAY,
};

export async function openCreditShop(
  options: { dataDir?: string; double?: StripeDouble; clock?: Clock; price?: string } = {},
): Promise<CreditShop> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'x402-credit-')));
  const store = await openStore({ driver: 'pglite', dataDir });
  const double = options.double ?? (await startStripeDouble());
  const stripe = new Stripe(double.account.secretKey, {
    ...double.connection,
    maxNetworkRetries: 0,
  });
  const clock = options.clock ?? periodClock();
  const facilitator = createCreditFacilitator({
    ledger: store.deferredLedger,
    accounts: store.creditAccounts,
    networks: [ledgerConfig],
    now: clock.now,
  });
  const server = createResourceServer({
    facilitator: createFacilitator({ schemes: [facilitator] }),
    schemes: [
      createCreditServer({ networks: [ledgerConfig], channels: facilitator, now: clock.now }),
    ],
  });
  const merchant = privateKeyToAddress(generatePrivateKey());
  const route = {
    accepts: {
      scheme: 'batch-settlement',
      network: NETWORK,
      price: options.price ?? '$0.001',
      payTo: merchant,
    },
  };
  const handle = (request: Request) =>
    server.handle(request, route, () => Response.json({ ok: 1 }));
  return {
    double,
    stripe,
    store,
    clock,
    facilitator,
    server,
    merchant,
    route,
    handle,
    redeem: (extra = {}) =>
      redeemCredit({
        ledger: store.deferredLedger,
        accounts: store.creditAccounts,
        charges: store.creditCharges,
        stripe,
        network: NETWORK,
        ledgerAddress: LEDGER_ADDRESS,
        now: clock.now,
        ...extra,
      }),
    async close() {
      await store.close();
      if (!options.double) await double.close();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A buyer with a card saved to a Stripe customer, registered with `creditLimit` (µ$). */
export async function newCreditBuyer(
  shop: CreditShop,
  creditLimit = 10_000_000n,
  card = 'pm_card_visa',
): Promise<CreditBuyer> {
  const key = generatePrivateKey();
  const account = privateKeyToAccount(key);
  const customer = await shop.stripe.customers.create({ description: account.address });
  const pm = await shop.stripe.paymentMethods.attach(card, { customer: customer.id });
  await shop.store.creditAccounts.register(
    {
      payer: account.address,
      customer: customer.id,
      paymentMethod: pm.id,
      creditLimit,
      currency: 'usd',
    },
    shop.clock.now(),
  );
  const rail = createCreditClient({ privateKey: key });
  const client = createPaymentClient({
    schemes: [rail],
    fetch: (input, init) => shop.handle(new Request(input, init)),
  });
  return { account, key, customer: customer.id, paymentMethod: pm.id, rail, client };
}

/** The PaymentIntents the double holds for a customer. */
export function intentsOf(shop: CreditShop, customer: string) {
  return [...shop.double.bank.paymentIntents.values()].filter((pi) => pi.customer === customer);
}

/** Decodes a response's PAYMENT-REQUIRED header. */
export function requiredOf(response: Response): {
  error?: string;
  accepts: { extra?: Record<string, unknown>; amount: string }[];
} {
  const header = response.headers.get('payment-required');
  if (header === null) throw new Error(`no PAYMENT-REQUIRED on ${response.status}`);
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
}
