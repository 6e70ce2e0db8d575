/**
 * The official batch-settlement client (`@x402/evm/batch-settlement/client` 2.27.0 through
 * `@x402/fetch`) pays our resource server (our deferred server and facilitator roles, real HTTP on
 * 127.0.0.1) on Anvil, with our escrow and deposit collector placed at the official addresses the
 * client hard-codes. The channel is funded on chain first (our server takes no deposit payloads);
 * then N paid requests, a fresh client instance that lost its state resynchronising from our
 * corrective 402, and one redemption claiming exactly what was served. With relayed deposits
 * turned on (a second route, its own facilitator), the official client opens a channel from
 * nothing: its first payment is a gasless deposit our facilitator sends at settle.
 */

import { x402Client } from '@x402/core/client';
import { decodePaymentRequiredHeader, decodePaymentResponseHeader } from '@x402/core/http';
import { toClientEvmSigner } from '@x402/evm';
import {
  BatchSettlementEvmScheme,
  computeChannelId,
  InMemoryClientChannelStorage,
} from '@x402/evm/batch-settlement/client';
import { wrapFetchWithPayment } from '@x402/fetch';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { type FetchServer, serveFetch } from '@x402-rails/core/node';
import { createResourceServer, type RoutePaymentConfig } from '@x402-rails/core/server';
import {
  channelConfigArg,
  DeferredReason,
  escrowAbi,
  OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
  OFFICIAL_ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
} from '@x402-rails/deferred';
import {
  createDeferredFacilitator,
  type DeferredFacilitator,
  DeferredRoleReason,
  DepositRelayReason,
} from '@x402-rails/deferred/facilitator';
import { createMemoryDeferredLedger, type DeferredLedger } from '@x402-rails/deferred/ledger';
import { redeem } from '@x402-rails/deferred/redeem';
import { createDeferredServer } from '@x402-rails/deferred/server';
import { type EvmTestChain, startEvmTestChain, TestUSDC } from '@x402-rails/testkit/anvil';
import { createWalletClient, type Hex, http, type LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from 'viem/accounts';
import { afterAll, beforeAll, expect, it } from 'vitest';

const PRICE = 1_000n; // $0.001 of a 6-decimal USD coin
const REQUESTS = 5;
const DEPOSIT = 1_000_000n;

let chain: EvmTestChain;
let ledger: DeferredLedger;
/** The ledger of the facilitator that relays deposits (route `/opened`). */
let relayLedger: DeferredLedger;
let api: FetchServer;
let merchant: Hex;
let served = 0;

beforeAll(async () => {
  chain = await startEvmTestChain();
  await chain.deployDeferredEscrow({
    at: {
      escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
      collector: OFFICIAL_ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
    },
  });
  ledger = createMemoryDeferredLedger();
  const facilitatorRole = createDeferredFacilitator({
    ledger,
    networks: [
      {
        network: chain.network,
        escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
        client: chain.publicClient,
      },
    ],
  });
  // One set of terms; each server reads channel state from its own facilitator.
  const serverOn = (role: DeferredFacilitator) =>
    createResourceServer({
      facilitator: createFacilitator({ schemes: [role] }),
      schemes: [
        createDeferredServer({
          networks: [
            {
              network: chain.network,
              asset: { address: chain.token, name: 'USD Coin', version: '2' },
              withdrawDelay: 900,
            },
          ],
          channels: role,
        }),
      ],
    });
  const server = serverOn(facilitatorRole);
  // The same terms behind a facilitator that relays deposits, paying their gas from its own key.
  relayLedger = createMemoryDeferredLedger();
  const relayKey = await chain.newWallet({ eth: 10n ** 19n });
  const relaying = createDeferredFacilitator({
    ledger: relayLedger,
    networks: [
      {
        network: chain.network,
        escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
        client: chain.publicClient,
        relayDeposits: {
          collector: OFFICIAL_ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
          wallet: createWalletClient({
            chain: chain.chain,
            transport: http(chain.rpcUrl),
            account: relayKey.account,
          }),
          client: chain.publicClient,
        },
      },
    ],
  });
  const relayServer = serverOn(relaying);
  merchant = privateKeyToAddress(generatePrivateKey());
  const route: RoutePaymentConfig = {
    accepts: {
      scheme: 'batch-settlement',
      network: chain.network,
      price: '$0.001',
      payTo: merchant,
    },
    description: 'Weather report',
    mimeType: 'application/json',
  };
  api = await serveFetch(
    (request) => {
      const path = new URL(request.url).pathname;
      const handler = () => {
        served++;
        return Response.json({ weather: 'sunny' });
      };
      if (path === '/weather') return server.handle(request, route, handler);
      if (path === '/opened') return relayServer.handle(request, route, handler);
      return Response.json({ error: 'not_found' }, { status: 404 });
    },
    { host: '127.0.0.1', port: 0 },
  );
});

afterAll(async () => {
  await api?.close();
  await chain?.stop();
});

/** The official client with its own channel storage; the local token is allowed explicitly. */
function officialClient(account: LocalAccount, depositMultiplier?: number) {
  const storage = new InMemoryClientChannelStorage();
  const scheme = new BatchSettlementEvmScheme(toClientEvmSigner(account, chain.publicClient), {
    storage,
    ...(depositMultiplier ? { depositPolicy: { depositMultiplier } } : {}),
  });
  const client = x402Client.fromConfig({
    spendControls: {
      allowedAssets: [{ network: chain.network, asset: chain.token, maxAmountPerPayment: '10000' }],
    },
    schemes: [{ network: chain.network, client: scheme }],
  });
  // Every response the client sees, in order (status and, on a 402, the header's `error`).
  const seen: { status: number; error?: string; paid: boolean }[] = [];
  const recording: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request);
    const required = response.headers.get('payment-required');
    seen.push({
      status: response.status,
      paid: request.headers.has('payment-signature'),
      ...(required ? { error: decodePaymentRequiredHeader(required).error ?? '' } : {}),
    });
    return response;
  };
  return { scheme, storage, pay: wrapFetchWithPayment(recording, client), seen };
}

/** The payer approves the escrow and deposits into the channel the official client will use. */
async function fundChannel(account: LocalAccount, scheme: BatchSettlementEvmScheme) {
  const unpaid = await fetch(`${api.url}/weather`);
  const header = unpaid.headers.get('payment-required');
  await unpaid.arrayBuffer();
  if (!header) throw new Error('no PAYMENT-REQUIRED');
  const requirements = decodePaymentRequiredHeader(header).accepts[0];
  if (!requirements) throw new Error('no offer');
  const config = scheme.buildChannelConfig(requirements);
  const wallet = createWalletClient({ chain: chain.chain, transport: http(chain.rpcUrl), account });
  for (const hash of [
    await wallet.writeContract({
      address: chain.token,
      abi: TestUSDC.abi,
      functionName: 'approve',
      args: [OFFICIAL_BATCH_SETTLEMENT_ADDRESS, DEPOSIT],
    }),
    await wallet.writeContract({
      address: OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
      abi: escrowAbi,
      functionName: 'deposit',
      args: [
        channelConfigArg(config as Parameters<typeof channelConfigArg>[0]),
        DEPOSIT,
        '0x0000000000000000000000000000000000000000',
        '0x',
      ],
    }),
  ]) {
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
  }
  return computeChannelId(config, chain.network).toLowerCase() as Hex;
}

it('the official client pays N requests, resynchronises after losing its state, and one redemption claims the sum', async () => {
  const payer = (await chain.newWallet({ usdc: DEPOSIT })).account;
  const a = officialClient(payer);
  const channelId = await fundChannel(payer, a.scheme);

  for (let i = 1n; i <= BigInt(REQUESTS); i++) {
    const response = await a.pay(`${api.url}/weather`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ weather: 'sunny' });
    const settlement = decodePaymentResponseHeader(response.headers.get('payment-response') ?? '');
    expect(settlement).toMatchObject({
      success: true,
      transaction: `${channelId}:${i * PRICE}`,
      extra: {
        chargedAmount: PRICE.toString(),
        channelState: { chargedCumulativeAmount: (i * PRICE).toString() },
      },
    });
    // The official client took its charged amount from our settle response's extra.
    expect((await a.storage.get(channelId))?.chargedCumulativeAmount).toBe((i * PRICE).toString());
  }
  // Each request: one unpaid 402, then one paid 200; no corrective round trip was needed.
  expect(a.seen.map((s) => s.status)).toEqual(
    Array.from({ length: REQUESTS }, () => [402, 200]).flat(),
  );
  expect((await ledger.get(channelId))?.charged).toBe(BigInt(REQUESTS) * PRICE);

  // A fresh instance of the official client (lost state): it resumes from the chain (nothing
  // claimed yet, so it believes 0 is charged), is refused with our corrective 402, adopts the
  // channel state it can verify as its own signature, and pays.
  const b = officialClient(payer);
  const response = await b.pay(`${api.url}/weather`);
  expect(response.status).toBe(200);
  expect(b.seen).toEqual([
    { status: 402, paid: false, error: 'PAYMENT-SIGNATURE header is required' },
    { status: 402, paid: true, error: DeferredReason.cumulativeMismatch },
    { status: 200, paid: true },
  ]);
  const total = BigInt(REQUESTS + 1) * PRICE;
  expect((await ledger.get(channelId))?.charged).toBe(total);
  expect((await b.storage.get(channelId))?.chargedCumulativeAmount).toBe(total.toString());
  expect(served).toBe(REQUESTS + 1);

  // Redemption: one claim transaction collecting exactly the served prices.
  const redeemer = privateKeyToAccount((await chain.newWallet({ eth: 10n ** 19n })).privateKey);
  const report = await redeem({
    ledger,
    network: chain.network,
    escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
    client: chain.publicClient,
    signer: redeemer,
    receiptTimeoutMs: 10_000,
  });
  expect(report.batch).toMatchObject({ state: 'confirmed', collected: total });
  expect(report.batch?.channels).toEqual([
    expect.objectContaining({ channelId, collected: total, totalClaimed: total }),
  ]);
  expect(await chain.balanceOf(merchant)).toBe(total);
  const [balance, totalClaimed] = await chain.publicClient.readContract({
    address: OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
    abi: escrowAbi,
    functionName: 'channels',
    args: [channelId],
  });
  expect({ balance, totalClaimed }).toEqual({ balance: DEPOSIT, totalClaimed: total });
  // Run again: nothing more to pay.
  const again = await redeem({
    ledger,
    network: chain.network,
    escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
    client: chain.publicClient,
    signer: redeemer,
    receiptTimeoutMs: 10_000,
  });
  expect(again.batch).toBeUndefined();
  expect(await chain.balanceOf(merchant)).toBe(total);
});

it('with relayed deposits, the official client opens a channel from nothing (gasless) and pays on', async () => {
  // No ETH: the deposit is the payer's ERC-3009 signature; our facilitator sends it.
  const payer = (await chain.newWallet({ usdc: DEPOSIT, eth: 0n })).account;
  const c = officialClient(payer, 50); // deposits 50 × the price
  const blocks: bigint[] = [];
  const settlements = [];
  for (let i = 1n; i <= 3n; i++) {
    const response = await c.pay(`${api.url}/opened`);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    settlements.push(decodePaymentResponseHeader(response.headers.get('payment-response') ?? ''));
    blocks.push(await chain.publicClient.getBlockNumber());
  }
  const deposited = 50n * PRICE;
  // One transaction, the deposit, on the first request; the vouchers after it move nothing.
  expect(blocks[1]).toBe(blocks[0]);
  expect(blocks[2]).toBe(blocks[0]);
  expect(settlements[0]?.extra?.['depositTransaction']).toMatch(/^0x[0-9a-f]{64}$/);
  expect(settlements[1]?.extra?.['depositTransaction']).toBeUndefined();
  const channelId = settlements[0]?.transaction.split(':')[0] as Hex;
  expect(settlements.map((s) => s.transaction)).toEqual(
    [1n, 2n, 3n].map((i) => `${channelId}:${i * PRICE}`),
  );
  expect(await chain.balanceOf(payer.address)).toBe(DEPOSIT - deposited);
  expect((await c.storage.get(channelId))?.balance).toBe(deposited.toString());
  expect((await relayLedger.get(channelId))?.charged).toBe(3n * PRICE);

  const merchantBefore = await chain.balanceOf(merchant);
  const report = await redeem({
    ledger: relayLedger,
    network: chain.network,
    escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
    client: chain.publicClient,
    signer: privateKeyToAccount((await chain.newWallet({ eth: 10n ** 19n })).privateKey),
    receiptTimeoutMs: 10_000,
  });
  expect(report.batch).toMatchObject({ state: 'confirmed', collected: 3n * PRICE });
  expect(await chain.balanceOf(merchant)).toBe(merchantBefore + 3n * PRICE);
});

it('without the opt-in a deposit is refused, and a deposit that cannot succeed is refused at verify', async () => {
  const payer = (await chain.newWallet({ usdc: DEPOSIT, eth: 0n })).account;
  const refused = await officialClient(payer, 50).pay(`${api.url}/weather`);
  expect(refused.status).toBe(402);
  expect(decodePaymentRequiredHeader(refused.headers.get('payment-required') ?? '').error).toBe(
    DeferredRoleReason.depositNotRelayed,
  );
  await refused.arrayBuffer();

  // Holding less than the deposit it signs: the simulation fails, nothing is reserved or sent.
  const poor = (await chain.newWallet({ usdc: 10n * PRICE, eth: 0n })).account;
  const block = await chain.publicClient.getBlockNumber();
  const failed = await officialClient(poor, 50).pay(`${api.url}/opened`);
  expect(failed.status).toBe(402);
  expect(decodePaymentRequiredHeader(failed.headers.get('payment-required') ?? '').error).toBe(
    DepositRelayReason.simulationFailed,
  );
  await failed.arrayBuffer();
  expect(await chain.publicClient.getBlockNumber()).toBe(block);
  expect(await chain.balanceOf(poor.address)).toBe(10n * PRICE);
});
