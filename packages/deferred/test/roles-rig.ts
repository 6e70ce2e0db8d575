/**
 * A chain with the escrow, a channel ledger, the rail's three roles wired through core's engines
 * (resource server + in-process facilitator + payment client), and a funded payer.
 */
import type { PaymentRequirements } from '@x402-rails/core';
import { createPaymentClient, type PaymentClient } from '@x402-rails/core/client';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { createResourceServer, type ResourceServer } from '@x402-rails/core/server';
import type { EvmTestChain } from '@x402-rails/testkit/anvil';
import type { Address, Hex, LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from 'viem/accounts';
import { createDeferredClient, type DeferredClient } from '../src/client/client.js';
import { escrowAbi } from '../src/escrow-abi.js';
import { channelConfigArg } from '../src/escrow-calls.js';
import {
  createDeferredFacilitator,
  type DeferredFacilitator,
  type DeferredFacilitatorOptions,
} from '../src/facilitator/facilitator.js';
import type { DeferredLedger } from '../src/ledger.js';
import { createMemoryDeferredLedger } from '../src/ledger.js';
import type { ChannelConfig } from '../src/payload.js';
import { type RedeemOptions, redeem } from '../src/redeem/redeem.js';
import { createDeferredServer } from '../src/server/server.js';
import { escrowHarness } from './helpers.js';

export const PRICE = 1_000n; // 0.001 USDC
export const URL = 'http://127.0.0.1/paid';

export interface Shop {
  chain: EvmTestChain;
  h: ReturnType<typeof escrowHarness>;
  ledger: DeferredLedger;
  facilitator: DeferredFacilitator;
  server: ResourceServer;
  merchant: Address;
  route: {
    accepts: {
      scheme: string;
      network: string;
      price: { amount: string; asset: string };
      payTo: string;
    };
  };
  /** A resource-server handle with a handler. */
  handle(
    request: Request,
    handler?: (r: Request) => Response | Promise<Response>,
  ): Promise<Response>;
  redeemer: LocalAccount;
  redeemOptions(extra?: Partial<RedeemOptions>): RedeemOptions;
  redeem(extra?: Partial<RedeemOptions>): ReturnType<typeof redeem>;
}

export interface Buyer {
  account: LocalAccount;
  rail: DeferredClient;
  client: PaymentClient;
  config: ChannelConfig;
  channelId: Hex;
  requirements: PaymentRequirements;
}

export async function openShop(
  chain: EvmTestChain,
  escrows: { escrow: Address; collector: Address },
  facilitatorOptions: Partial<DeferredFacilitatorOptions> = {},
): Promise<Shop> {
  const h = escrowHarness(chain, escrows.escrow, escrows.collector);
  const ledger = createMemoryDeferredLedger();
  const merchant = privateKeyToAddress(generatePrivateKey());
  const facilitatorRole = createDeferredFacilitator({
    ledger,
    networks: [{ network: chain.network, escrow: escrows.escrow, client: chain.publicClient }],
    // Fresh reads: the tests move balances on chain between requests.
    chainStateTtlMs: 0,
    ...facilitatorOptions,
  });
  const serverRole = createDeferredServer({
    networks: [
      {
        network: chain.network,
        asset: { address: chain.token, name: 'USD Coin', version: '2' },
        withdrawDelay: 900,
      },
    ],
    channels: facilitatorRole,
  });
  const server = createResourceServer({
    facilitator: createFacilitator({ schemes: [facilitatorRole] }),
    schemes: [serverRole],
  });
  const route = {
    accepts: {
      scheme: 'batch-settlement',
      network: chain.network,
      price: { amount: PRICE.toString(), asset: chain.token },
      payTo: merchant,
    },
  };
  const redeemerKey = (await chain.newWallet({ eth: 10n ** 19n })).privateKey;
  const redeemer = privateKeyToAccount(redeemerKey);
  const redeemOptions = (extra: Partial<RedeemOptions> = {}): RedeemOptions => ({
    ledger,
    network: chain.network,
    escrow: escrows.escrow,
    client: chain.publicClient,
    signer: redeemer,
    receiptTimeoutMs: 10_000,
    ...extra,
  });
  return {
    chain,
    h,
    ledger,
    facilitator: facilitatorRole,
    server,
    merchant,
    route,
    handle: (request, handler = () => Response.json({ ok: true })) =>
      server.handle(request, route, handler),
    redeemer,
    redeemOptions,
    redeem: (extra) => redeem(redeemOptions(extra)),
  };
}

/** A payer with a channel to the shop holding `deposit`, and its payment client. */
export async function newBuyer(
  shop: Shop,
  deposit: bigint,
  handler: (r: Request) => Response | Promise<Response> = () => Response.json({ ok: true }),
): Promise<Buyer> {
  const wallet = await shop.chain.newWallet({ usdc: deposit + 10_000_000n });
  const salt = generatePrivateKey();
  const rail = createDeferredClient({
    signer: wallet.account,
    escrows: { [shop.chain.network]: shop.h.escrow },
    saltFor: () => salt,
  });
  const unpaid = await shop.handle(new Request(URL));
  const required = JSON.parse(
    Buffer.from(unpaid.headers.get('payment-required') ?? '', 'base64').toString('utf8'),
  ) as { accepts: PaymentRequirements[] };
  const requirements = required.accepts[0] as PaymentRequirements;
  const { config, channelId } = rail.channelFor(requirements);
  if (deposit > 0n) await shop.h.depositApproved(wallet.account, config, deposit);
  const client = createPaymentClient({
    schemes: [rail],
    fetch: (input, init) => shop.handle(new Request(input, init), handler),
  });
  return { account: wallet.account, rail, client, config, channelId, requirements };
}

export async function initiateWithdraw(shop: Shop, buyer: Buyer, amount: bigint): Promise<void> {
  const wallet = shop.h.clientOf(buyer.account);
  await shop.h.confirm(
    await wallet.writeContract({
      address: shop.h.escrow,
      abi: escrowAbi,
      functionName: 'initiateWithdraw',
      args: [channelConfigArg(buyer.config), amount],
    }),
  );
}

/** Decodes a refusal's PAYMENT-REQUIRED header. */
export function refusalOf(response: Response): {
  error?: string;
  accepts: PaymentRequirements[];
} {
  const header = response.headers.get('payment-required');
  if (header === null) throw new Error(`no PAYMENT-REQUIRED on ${response.status}`);
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
