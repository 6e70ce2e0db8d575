/**
 * The settlement path: claim the payment in process before sending, re-verify on chain (with the
 * gas estimate and fees), deploy a counterfactual wallet if needed, send through the pool of keys
 * and watch the receipt. Also reads what happened to an authorization on chain, for settle's
 * replays and for status().
 */
import {
  failedSettlement,
  type PaymentPayload,
  type PaymentRequirements,
  type SettleResponse,
  X402Error,
} from '@x402-rails/core';
import { getAddress, type Hex, type LocalAccount } from 'viem';
import type { ParsedPayload } from '../payload.js';
import { EvmReason } from '../reasons.js';
import { RpcError } from '../rpc.js';
import { revertMessage, TOPIC, transferWithAuthorizationData } from './abi.js';
import type { NetState, RailContext } from './context.js';
import { reasonForRevert } from './failure.js';
import { checkOnChain } from './onchain.js';
import { type Prechecked, precheck } from './precheck.js';
import type { ReceiptLog, TransactionReceipt } from './receipts.js';
import type { Fees, TransactionSender } from './sender.js';

export async function settlePayment(
  ctx: RailContext,
  payment: PaymentPayload,
  req: PaymentRequirements,
): Promise<SettleResponse> {
  const pre = precheck(ctx, payment, req);
  if (!pre.ok) return failedSettlement(req, pre.reason, pre.message, pre.payer);
  // The id of what will be sent (the requirements' asset), as exactEvmPaymentId forms it.
  const id = `eip155:${pre.state.network.chainId}:${pre.asset.toLowerCase()}:${pre.p.from}:${pre.p.nonce}`;
  // Claim first: a second settle of the same authorization in this process never broadcasts.
  if (ctx.inflight.has(id))
    return failedSettlement(
      req,
      EvmReason.settlementInProgress,
      'This authorization is being settled',
      pre.payer,
    );
  const run = doSettle(ctx, req, pre, id);
  ctx.inflight.set(id, run);
  try {
    return await run;
  } finally {
    ctx.inflight.delete(id);
  }
}

function errorText(error: unknown): string {
  if (error instanceof RpcError) return revertMessage(error.data) ?? error.message;
  return error instanceof Error ? error.message : String(error);
}

/** The Transfer log the authorization must produce. */
function hasTransferLog(logs: readonly ReceiptLog[], asset: string, p: ParsedPayload): boolean {
  const from = `0x${p.from.slice(2).padStart(64, '0')}`;
  const to = `0x${p.to.slice(2).padStart(64, '0')}`;
  return logs.some(
    (log) =>
      log.address.toLowerCase() === asset.toLowerCase() &&
      log.topics[0] === TOPIC.transfer &&
      log.topics[1]?.toLowerCase() === from &&
      log.topics[2]?.toLowerCase() === to &&
      BigInt(log.data) === p.value,
  );
}

export function settledFrom(
  receipt: TransactionReceipt,
  req: PaymentRequirements,
  asset: string,
  p: ParsedPayload,
): SettleResponse {
  const payer = getAddress(p.from);
  if (receipt.status !== '0x1')
    return failedSettlement(
      req,
      EvmReason.transactionFailed,
      'The transaction reverted',
      payer,
      receipt.transactionHash,
    );
  if (!hasTransferLog(receipt.logs, asset, p))
    return failedSettlement(
      req,
      EvmReason.transferEventMismatch,
      'The transaction emitted no matching Transfer',
      payer,
      receipt.transactionHash,
    );
  return {
    success: true,
    transaction: receipt.transactionHash,
    network: req.network,
    payer,
    amount: p.value.toString(),
  };
}

/** The transaction that used (or canceled) an authorization, from the token's EIP-3009 events. */
export async function findUse(ctx: RailContext, state: NetState, asset: string, p: ParsedPayload) {
  const head = BigInt(await state.rpc.request<string>('eth_blockNumber'));
  const lookback = ctx.logLookbackBlocks;
  const fromBlock = head > lookback ? head - lookback : 0n;
  const logs = await state.rpc.request<(ReceiptLog & { transactionHash: string })[]>(
    'eth_getLogs',
    [
      {
        address: asset,
        fromBlock: `0x${fromBlock.toString(16)}`,
        toBlock: 'latest',
        topics: [
          [TOPIC.authorizationUsed, TOPIC.authorizationCanceled],
          `0x${p.from.slice(2).padStart(64, '0')}`,
          p.nonce,
        ],
      },
    ],
  );
  const log = logs[0];
  if (!log) return undefined;
  if (log.topics[0] === TOPIC.authorizationCanceled) return { canceled: true as const };
  const receipt = await state.rpc.request<TransactionReceipt | null>('eth_getTransactionReceipt', [
    log.transactionHash,
  ]);
  return receipt ? { canceled: false as const, receipt } : undefined;
}

async function replayFailure(
  ctx: RailContext,
  state: NetState,
  req: PaymentRequirements,
  pre: Prechecked,
  message: string,
) {
  // Already used on chain: look it up rather than send again.
  let transaction = '';
  let detail = message;
  try {
    const use = await findUse(ctx, state, pre.asset, pre.p);
    if (use?.canceled) detail = 'The payer canceled this authorization';
    else if (use) {
      transaction = use.receipt.transactionHash;
      detail = `This authorization was settled in ${transaction}`;
    }
  } catch {}
  return failedSettlement(req, EvmReason.nonceUsed, detail, pre.payer, transaction);
}

async function waitReceipt(ctx: RailContext, state: NetState, hash: Hex) {
  return state.watcher.wait(hash, ctx.confirmations, ctx.receiptTimeoutMs);
}

async function doSettle(
  ctx: RailContext,
  req: PaymentRequirements,
  pre: Prechecked,
  id: string,
): Promise<SettleResponse> {
  const lease = pre.state.sender.acquire();
  try {
    return await settleWith(ctx, req, pre, id, lease.account);
  } finally {
    lease.release();
  }
}

async function settleWith(
  ctx: RailContext,
  req: PaymentRequirements,
  pre: Prechecked,
  id: string,
  sender: LocalAccount,
): Promise<SettleResponse> {
  const { state } = pre;
  const { confirmations, gasMarginPercent: gasMargin, receiptTimeoutMs } = ctx;
  const checked = await checkOnChain(ctx, pre, 'settle', sender);
  if (!checked.ok) {
    if (checked.usedOnChain) return replayFailure(ctx, state, req, pre, checked.message);
    return failedSettlement(req, checked.reason, checked.message, checked.payer);
  }
  const fees = checked.fees as Fees;
  if (checked.counterfactual && checked.signature.deployment) {
    const { factory, calldata } = checked.signature.deployment;
    const gas = await state.rpc
      .request<string>('eth_estimateGas', [{ from: sender.address, to: factory, data: calldata }])
      .then((g) => (BigInt(g) * gasMargin) / 100n);
    const deployed = await state.sender.send(sender, { to: factory, data: calldata, gas, fees });
    const receipt = await waitReceipt(ctx, state, deployed.hash);
    if (receipt?.status !== '0x1')
      return failedSettlement(
        req,
        EvmReason.walletDeploymentFailed,
        'Deploying the payer’s wallet failed',
        checked.payer,
      );
  }
  const data = transferWithAuthorizationData(
    checked.p,
    checked.signature.inner,
    checked.contractWallet,
  );
  let gas = checked.gas;
  if (gas === undefined) {
    try {
      gas =
        (BigInt(
          await state.rpc.request<string>('eth_estimateGas', [
            { from: sender.address, to: checked.asset, data },
          ]),
        ) *
          gasMargin) /
        100n;
    } catch (error) {
      const why = errorText(error);
      return failedSettlement(
        req,
        reasonForRevert(why, EvmReason.simulationFailed),
        `Gas estimation fails: ${why}`,
        checked.payer,
      );
    }
  }
  let sent: Awaited<ReturnType<TransactionSender['send']>>;
  try {
    sent = await state.sender.send(sender, { to: checked.asset, data, gas, fees });
  } catch (error) {
    const why = errorText(error);
    return failedSettlement(
      req,
      reasonForRevert(why, EvmReason.transactionFailed),
      `Sending failed: ${why}`,
      checked.payer,
    );
  }
  ctx.broadcast.set(id, { hash: sent.hash, network: req.network });
  await ctx.options.hooks?.afterBroadcast?.({ paymentId: id, transaction: sent.hash });
  const receipt =
    sent.receipt && confirmations <= 1 ? sent.receipt : await waitReceipt(ctx, state, sent.hash);
  if (!receipt) {
    // Not failed: pending. Thrown so a settlement journal keeps the payment pending and later
    // reconciles it through status() instead of sending again.
    throw new X402Error(EvmReason.settlementPending, {
      message: `Transaction ${sent.hash} was not confirmed within ${receiptTimeoutMs} ms; it is still pending`,
      details: { transaction: sent.hash, network: req.network },
    });
  }
  ctx.broadcast.delete(id);
  const result = settledFrom(receipt, req, checked.asset, checked.p);
  if (!result.success && receipt.status !== '0x1') {
    // Reverted: someone else may have used the authorization first.
    const again = await checkOnChain(ctx, pre, 'verify');
    if (!again.ok && again.usedOnChain) return replayFailure(ctx, state, req, pre, again.message);
  }
  return result;
}
