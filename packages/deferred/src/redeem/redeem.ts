/**
 * Redemption: the latest charged voucher of every redeemable channel, claimed in one `claim`
 * batch. Crash-safe by a journal: the transaction is signed first, its row (hash, raw bytes,
 * nonce) written, then it is sent; a run first finishes the rows a previous run left pending
 * (receipt → record; unknown to the node → re-broadcast the very same bytes; nonce taken by
 * another transaction → dropped). Claims are recorded only from the mined receipt's `Claimed`
 * events. The escrow itself pays `min(cumulative, balance) − totalClaimed`, so even a lost journal
 * cannot pay twice.
 */
import { randomUUID } from 'node:crypto';
import { encodeFunctionData, type Hex, keccak256, type TransactionReceipt } from 'viem';
import { escrowAbi } from '../escrow-abi.js';
import { claimArgs } from '../escrow-calls.js';
import { evmChannelConfig } from '../ledger/evm-config.js';
import type { DeferredChannel, DeferredLedger, RedemptionRecord } from '../ledger/types.js';
import {
  claimedEvents,
  isKnown,
  type RedeemChainClient,
  type RedeemSigner,
  receiptOf,
} from './chain.js';

export interface RedeemOptions {
  ledger: DeferredLedger;
  /** CAIP-2 `eip155:<chainId>`. */
  network: `eip155:${number}`;
  escrow: Hex;
  client: RedeemChainClient;
  signer: RedeemSigner;
  /** Skip channels owing less than this (default 1). */
  minUnclaimed?: bigint;
  /**
   * Send only when the batch collects at least this much in total (default 1) — unless a channel
   * in it has a withdrawal pending: that one is claimed now, whatever the threshold.
   */
  minTotal?: bigint;
  /** Only these channels (e.g. from `withdrawalsInitiated`). */
  channels?: readonly Hex[];
  /** Most channels in one transaction (default 100). */
  maxChannels?: number;
  /** How long to wait for a receipt (default 60 s). */
  receiptTimeoutMs?: number;
  now?: () => number;
  /** Test seams: called after the journal row is written / after the transaction is sent. */
  hooks?: {
    afterJournal?(record: RedemptionRecord): void;
    afterSend?(record: RedemptionRecord): void;
  };
}

export interface ChannelCollection {
  channelId: Hex;
  payer: Hex;
  /** What this run's transaction paid the receiver on the channel. */
  collected: bigint;
  /** The escrow's totalClaimed after it. */
  totalClaimed: bigint;
}

export interface BatchOutcome {
  redemptionId: string;
  transaction: Hex;
  state: 'confirmed' | 'dropped' | 'pending';
  channels: ChannelCollection[];
  collected: bigint;
}

export interface UnpayableChannel {
  channelId: Hex;
  payer: Hex;
  /** Charged but not collectable on chain. */
  owed: bigint;
}

export interface RedeemReport {
  /** Batches a previous run left pending, finished now. */
  resumed: BatchOutcome[];
  /** This run's batch, if one was sent. */
  batch?: BatchOutcome;
  /** Channels the escrow will pay nothing more on although they owe (e.g. withdrawn): the debt. */
  unpayable: UnpayableChannel[];
  /** Why no batch was sent. */
  skipped?: 'nothing_redeemable' | 'below_threshold';
  collected: bigint;
}

interface Payable {
  channel: DeferredChannel;
  payable: bigint;
  totalClaimed: bigint;
  withdrawing: boolean;
}

/** Math.min does not take bigints. */
const minOf = (a: bigint, b: bigint) => (a < b ? a : b);

async function payableOf(options: RedeemOptions, channel: DeferredChannel): Promise<Payable> {
  const [[balance, totalClaimed], [, initiatedAt]] = await Promise.all([
    options.client.readContract({
      address: options.escrow,
      abi: escrowAbi,
      functionName: 'channels',
      args: [channel.channelId],
    }),
    options.client.readContract({
      address: options.escrow,
      abi: escrowAbi,
      functionName: 'pendingWithdrawals',
      args: [channel.channelId],
    }),
  ]);
  const cap = minOf(channel.charged, balance);
  return {
    channel,
    payable: cap > totalClaimed ? cap - totalClaimed : 0n,
    totalClaimed,
    withdrawing: Number(initiatedAt) > 0,
  };
}

/** Records what a mined receipt collected and closes its journal row. */
async function finishFromReceipt(
  options: RedeemOptions,
  record: RedemptionRecord,
  receipt: TransactionReceipt,
): Promise<BatchOutcome> {
  const now = options.now ?? Date.now;
  const channels: ChannelCollection[] = [];
  if (receipt.status === 'success') {
    for (const event of claimedEvents(receipt, options.escrow)) {
      const channel = await options.ledger.recordClaim(event.channelId, event.totalClaimed, now());
      channels.push({
        channelId: event.channelId,
        payer: channel?.payer ?? ('0x' as Hex),
        collected: event.amount,
        totalClaimed: event.totalClaimed,
      });
    }
  }
  const state = receipt.status === 'success' ? 'confirmed' : 'dropped';
  await options.ledger.finishRedemption(record.id, state, now());
  return {
    redemptionId: record.id,
    transaction: record.transaction,
    state,
    channels,
    collected: channels.reduce((sum, c) => sum + c.collected, 0n),
  };
}

async function waitFor(options: RedeemOptions, record: RedemptionRecord): Promise<BatchOutcome> {
  const receipt = await options.client.waitForTransactionReceipt({
    hash: record.transaction,
    timeout: options.receiptTimeoutMs ?? 60_000,
  });
  return finishFromReceipt(options, record, receipt);
}

/** Finishes one journal row a previous run left pending. */
async function resume(options: RedeemOptions, record: RedemptionRecord): Promise<BatchOutcome> {
  const receipt = await receiptOf(options.client, record.transaction);
  if (receipt) return finishFromReceipt(options, record, receipt);
  if (await isKnown(options.client, record.transaction)) return waitFor(options, record);
  const used = await options.client.getTransactionCount({
    address: record.sender,
    blockTag: 'latest',
  });
  if (used > record.nonce) {
    // Its nonce went to another transaction: this one can never be mined.
    await options.ledger.finishRedemption(record.id, 'dropped', (options.now ?? Date.now)());
    return {
      redemptionId: record.id,
      transaction: record.transaction,
      state: 'dropped',
      channels: [],
      collected: 0n,
    };
  }
  // Never reached the node (the crash came before the send): the very same bytes, same nonce.
  await options.client.sendRawTransaction({ serializedTransaction: record.rawTransaction });
  return waitFor(options, record);
}

/**
 * Runs one redemption: finishes pending journal rows, then claims every redeemable channel (up to
 * `maxChannels`) in one transaction, and reports what each channel collected.
 */
export async function redeem(options: RedeemOptions): Promise<RedeemReport> {
  const now = options.now ?? Date.now;
  const escrow = options.escrow.toLowerCase();
  const resumed: BatchOutcome[] = [];
  for (const record of await options.ledger.pendingRedemptions()) {
    if (record.network !== options.network || record.escrow.toLowerCase() !== escrow) continue;
    resumed.push(await resume(options, record));
  }
  const resumedTotal = resumed.reduce((sum, b) => sum + b.collected, 0n);

  const limit = options.maxChannels ?? 100;
  const minUnclaimed = options.minUnclaimed ?? 1n;
  const candidates = options.channels
    ? (await Promise.all(options.channels.map((id) => options.ledger.get(id)))).filter(
        (c): c is DeferredChannel =>
          c !== undefined &&
          c.network === options.network &&
          c.escrow.toLowerCase() === escrow &&
          c.charged - c.claimed >= minUnclaimed &&
          c.charged > c.claimed,
      )
    : await options.ledger.redeemable({
        network: options.network,
        escrow: options.escrow,
        minUnclaimed,
        limit,
      });
  const checked = await Promise.all(candidates.map((c) => payableOf(options, c)));
  const unpayable: UnpayableChannel[] = [];
  for (const p of checked) {
    if (p.payable > 0n) continue;
    // The escrow pays nothing more on it (withdrawn, or claimed elsewhere): catch up `claimed`
    // and report the rest as owed off chain.
    const channel = await options.ledger.recordClaim(p.channel.channelId, p.totalClaimed, now());
    const claimed = channel?.claimed ?? p.channel.claimed;
    if (p.channel.charged > claimed) {
      unpayable.push({
        channelId: p.channel.channelId,
        payer: p.channel.payer,
        owed: p.channel.charged - claimed,
      });
    }
  }
  const payables = checked
    .filter((p) => p.payable > 0n && p.channel.chargedVoucher !== undefined)
    .slice(0, limit);
  if (payables.length === 0) {
    return { resumed, unpayable, skipped: 'nothing_redeemable', collected: resumedTotal };
  }
  const total = payables.reduce((sum, p) => sum + p.payable, 0n);
  if (total < (options.minTotal ?? 1n) && !payables.some((p) => p.withdrawing)) {
    return { resumed, unpayable, skipped: 'below_threshold', collected: resumedTotal };
  }

  const vouchers = payables.map(({ channel }) => {
    const voucher = channel.chargedVoucher as NonNullable<DeferredChannel['chargedVoucher']>;
    return {
      // The ledger keeps the terms as JSON: parsed back (or refused by name) before the claim.
      config: evmChannelConfig(channel),
      channelId: channel.channelId,
      maxClaimableAmount: voucher.maxClaimableAmount,
      signature: voucher.signature,
    };
  });
  const data = encodeFunctionData({
    abi: escrowAbi,
    functionName: 'claim',
    args: [
      claimArgs(
        vouchers.map((v) => ({
          config: v.config,
          voucher: {
            channelId: v.channelId,
            maxClaimableAmount: v.maxClaimableAmount.toString(),
            signature: v.signature,
          },
        })),
      ),
    ],
  });
  const chainId = Number(options.network.slice('eip155:'.length));
  const sender = options.signer.address;
  const [nonce, gas, fees] = await Promise.all([
    options.client.getTransactionCount({ address: sender, blockTag: 'pending' }),
    options.client.estimateGas({ account: sender, to: options.escrow, data }),
    options.client.estimateFeesPerGas(),
  ]);
  const rawTransaction = await options.signer.signTransaction({
    type: 'eip1559',
    chainId,
    to: options.escrow,
    data,
    nonce,
    // Headroom: the batch's gas depends on state another claim may change before it is mined.
    gas: (gas * 12n) / 10n,
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
  });
  const at = now();
  const record: RedemptionRecord = {
    id: randomUUID(),
    network: options.network,
    escrow: options.escrow,
    vouchers: vouchers.map((v) => ({
      channelId: v.channelId,
      maxClaimableAmount: v.maxClaimableAmount,
      signature: v.signature,
    })),
    transaction: keccak256(rawTransaction),
    rawTransaction,
    sender,
    nonce,
    state: 'pending',
    createdAt: at,
    updatedAt: at,
  };
  await options.ledger.saveRedemption(record);
  options.hooks?.afterJournal?.(record);
  await options.client.sendRawTransaction({ serializedTransaction: rawTransaction });
  options.hooks?.afterSend?.(record);
  const batch = await waitFor(options, record);
  return { resumed, batch, unpayable, collected: resumedTotal + batch.collected };
}
