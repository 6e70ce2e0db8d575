/**
 * The deferred rail (x402 `batch-settlement`) on the EVM rail's Anvil chain: our escrow and its
 * deposit collector deployed there, a channel ledger in memory, an agent wallet holding test USDC
 * that deposits into its channel before it pays, a merchant, and a redeemer key paying the gas of
 * the batch claims. Paid requests only sign and check vouchers (no chain call); `redeem()` collects
 * every channel's latest voucher in one claim transaction, on demand.
 */
import { parseMoney } from '@x402-rails/core';
import { createDeferredClient, type DeferredClient } from '@x402-rails/deferred/client';
import {
  channelConfigArg,
  createDeferredFacilitator,
  type DeferredFacilitator,
  escrowAbi,
} from '@x402-rails/deferred/facilitator';
import { createMemoryDeferredLedger, type DeferredLedger } from '@x402-rails/deferred/ledger';
import { type RedeemReport, redeem } from '@x402-rails/deferred/redeem';
import { createDeferredServer } from '@x402-rails/deferred/server';
import {
  type EvmTestChain,
  TEST_USDC,
  TestUSDC,
  type TestWalletKey,
} from '@x402-rails/testkit/anvil';
import { createWalletClient, getAddress, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { PlaygroundRail } from './rail.js';

/** What the agent puts into its channel before its first call: 1 test USDC (1000 calls at $0.001). */
export const DEFAULT_CHANNEL_DEPOSIT = 1_000_000n;
/** The payer's withdrawal delay, part of every channel's terms (the escrow's minimum is 15 min). */
const WITHDRAW_DELAY = 900;
/** Paid calls per endpoint of the deferred agent: many small ones is what this rail is for. */
export const DEFERRED_CALLS_PER_ENDPOINT = 25;
/**
 * The dearest price offered on this rail ($0.10, atomic): vouchers are for tiny prices, and the
 * card-priced route ($0.50) would drain the agent's deposit in a few calls.
 */
export const MAX_DEFERRED_PRICE = 100_000n;

/** One channel's part of a redemption, amounts as decimal strings of atomic units. */
export interface ChannelRedemption {
  channelId: string;
  payer: string;
  collected: string;
  totalClaimed: string;
}

/** What one redemption did: one claim transaction (or none when nothing was owed). */
export interface RedemptionSummary {
  rail: 'deferred';
  network: string;
  escrow: string;
  /** The claim transaction; absent when nothing was owed. */
  transaction?: string;
  state?: 'confirmed' | 'dropped' | 'pending';
  /** Total collected by this run, atomic units. */
  collected: string;
  channels: ChannelRedemption[];
  /** Batches an interrupted earlier run left, finished now. */
  resumed: number;
}

export interface DeferredPlaygroundRail extends PlaygroundRail {
  readonly name: 'deferred';
  readonly escrow: Hex;
  readonly ledger: DeferredLedger;
  readonly facilitator: DeferredFacilitator;
  readonly agent: {
    readonly address: string;
    readonly wallet: TestWalletKey;
    readonly client: DeferredClient;
  };
  readonly merchant: TestWalletKey;
  /** The agent's channel to the merchant (the one every paid route of this rail uses). */
  channel(): { channelId: Hex };
  /** What the escrow holds for the agent's channel. */
  channelOnChain(): Promise<{ balance: bigint; totalClaimed: bigint }>;
  /** Deposits into the agent's channel, once: later calls find it funded and do nothing. */
  prepareAgent(): Promise<string | undefined>;
  /** One batch redemption of every channel with charged vouchers not yet claimed. */
  redeem(): Promise<RedemptionSummary>;
}

function summarize(report: RedeemReport, network: string, escrow: Hex): RedemptionSummary {
  const batch = report.batch;
  return {
    rail: 'deferred',
    network,
    escrow,
    ...(batch ? { transaction: batch.transaction, state: batch.state } : {}),
    collected: (batch?.collected ?? 0n).toString(),
    channels: (batch?.channels ?? []).map((c) => ({
      channelId: c.channelId,
      payer: c.payer,
      collected: c.collected.toString(),
      totalClaimed: c.totalClaimed.toString(),
    })),
    resumed: report.resumed.length,
  };
}

/**
 * The deferred rail on `chain` (the EVM rail's node: it is stopped with that rail). The agent
 * holds `agentBalance` test USDC and deposits `deposit` of it into its channel before paying.
 */
export async function startDeferredPlaygroundRail(
  chain: EvmTestChain,
  agentBalance: bigint,
  deposit: bigint = DEFAULT_CHANNEL_DEPOSIT,
): Promise<DeferredPlaygroundRail> {
  const token = getAddress(chain.token);
  const { escrow } = await chain.deployDeferredEscrow();
  const [agent, merchant, redeemer] = await Promise.all([
    chain.newWallet({ usdc: agentBalance }),
    chain.newWallet(),
    chain.newWallet({ eth: 10n * 10n ** 18n }),
  ]);
  const ledger = createMemoryDeferredLedger();
  const facilitator = createDeferredFacilitator({
    ledger,
    networks: [{ network: chain.network, escrow, client: chain.publicClient }],
  });
  const server = createDeferredServer({
    networks: [
      {
        network: chain.network,
        asset: { address: token, name: TEST_USDC.name, version: TEST_USDC.version },
        withdrawDelay: WITHDRAW_DELAY,
        name: 'Anvil',
      },
    ],
    // In process with the facilitator: the corrective 402 reads the channel ledger directly.
    channels: facilitator,
  });
  const client = createDeferredClient({
    signer: agent.account,
    escrows: { [chain.network]: escrow },
  });
  // The agent's channel: its terms are the server's requirements for the merchant.
  const terms = server.requirements({
    scheme: 'batch-settlement',
    network: chain.network,
    price: { money: '$0.001' },
    payTo: merchant.address,
    maxTimeoutSeconds: 60,
    request: new Request('http://127.0.0.1/'),
  });
  const channel = client.channelFor(await terms);

  const channelOnChain = async () => {
    const [balance, totalClaimed] = await chain.publicClient.readContract({
      address: escrow,
      abi: escrowAbi,
      functionName: 'channels',
      args: [channel.channelId],
    });
    return { balance, totalClaimed };
  };
  const balances = async () => {
    const [agentUsdc, merchantUsdc] = await Promise.all([
      chain.balanceOf(agent.address),
      chain.balanceOf(merchant.address),
    ]);
    return { agent: agentUsdc, merchant: merchantUsdc };
  };
  let preparing: Promise<string | undefined> | undefined;
  async function fund(): Promise<string | undefined> {
    if ((await channelOnChain()).balance > 0n) return undefined;
    const wallet = createWalletClient({
      chain: chain.chain,
      transport: http(chain.rpcUrl),
      account: agent.account,
    });
    // Approve, then deposit: the agent's own two transactions (it holds ETH for gas).
    for (const send of [
      () =>
        wallet.writeContract({
          address: token,
          abi: TestUSDC.abi,
          functionName: 'approve',
          args: [escrow, deposit],
        }),
      () =>
        wallet.writeContract({
          address: escrow,
          abi: escrowAbi,
          functionName: 'deposit',
          args: [
            channelConfigArg(channel.config),
            deposit,
            '0x0000000000000000000000000000000000000000',
            '0x',
          ],
        }),
    ]) {
      const receipt = await chain.publicClient.waitForTransactionReceipt({ hash: await send() });
      if (receipt.status !== 'success')
        throw new Error(`transaction ${receipt.transactionHash} reverted`);
    }
    return `deposited ${deposit} atomic test USDC into channel ${channel.channelId} (escrow ${escrow})`;
  }
  let redeeming: Promise<unknown> = Promise.resolve();

  return {
    name: 'deferred',
    scheme: 'batch-settlement',
    network: chain.network,
    asset: { id: token, symbol: TEST_USDC.symbol, decimals: TEST_USDC.decimals },
    server,
    facilitator,
    escrow,
    ledger,
    agent: { address: agent.address, wallet: agent, client },
    merchant,
    agentCallsPerEndpoint: DEFERRED_CALLS_PER_ENDPOINT,
    acceptsPrice: (price) => parseMoney(price, TEST_USDC.decimals) <= MAX_DEFERRED_PRICE,
    channel: () => ({ channelId: channel.channelId }),
    channelOnChain,
    balances,
    prepareAgent() {
      // Concurrent callers share one funding; a failed one may be tried again.
      preparing ??= fund().catch((error: unknown) => {
        preparing = undefined;
        throw error;
      });
      return preparing;
    },
    redeem() {
      // One redemption at a time (they would sign with the same nonce); the ledger's journal makes
      // a second run pay nothing twice anyway.
      const run = redeeming
        .catch(() => undefined)
        .then(async () =>
          summarize(
            await redeem({
              ledger,
              network: chain.network,
              escrow,
              client: chain.publicClient,
              signer: privateKeyToAccount(redeemer.privateKey),
              receiptTimeoutMs: 30_000,
            }),
            chain.network,
            escrow,
          ),
        );
      redeeming = run;
      return run;
    },
    async describe() {
      const now = await balances();
      return {
        rail: {
          name: 'deferred',
          network: chain.network,
          rpc: chain.rpcUrl,
          note: `batch-settlement vouchers on the EVM rail's Anvil: escrow ${escrow}, test USDC ${token}; paid calls only sign vouchers, POST /redeem claims them in one transaction.`,
        },
        // The chain is the EVM rail's, listed once there.
        chains: [],
        wallets: [
          {
            rail: 'deferred',
            role: 'agent',
            address: agent.address,
            privateKey: agent.privateKey,
            balance: now.agent.toString(),
          },
          {
            rail: 'deferred',
            role: 'merchant',
            address: merchant.address,
            privateKey: merchant.privateKey,
            balance: now.merchant.toString(),
          },
        ],
      };
    },
    // The node is the EVM rail's: it stops it.
    stop: async () => {},
  };
}
