/**
 * Settling: claim the payment in this process, check it again on chain with our signature in
 * place, send, and poll its status until it is confirmed, fails, can no longer land (blockhash
 * expired) or the bounded wait ends (then it is reported pending, never sent again blindly).
 */
import {
  failedSettlement,
  type PaymentPayload,
  type PaymentRequirements,
  type RailPaymentStatus,
  type SettleResponse,
  X402Error,
} from '@x402-rails/core';
import { messageDigest } from '../payment-id.js';
import { SolanaReason } from '../reasons.js';
import { RpcError } from '../rpc.js';
import {
  checkOnChain,
  coSign,
  reasonForError,
  type SignatureStatus,
  type Signed,
} from './chain.js';
import type { NetState, RailContext } from './context.js';
import { decodeFor, type Prechecked, precheck } from './precheck.js';

function settled(req: PaymentRequirements, pre: Prechecked, signature: string): SettleResponse {
  return {
    success: true,
    transaction: signature,
    network: req.network,
    payer: pre.payer,
    amount: pre.transfer.amount.toString(),
  };
}

const RANK: Record<string, number> = { processed: 0, confirmed: 1, finalized: 2 };

function reached(status: SignatureStatus, commitment: string): boolean {
  return (RANK[String(status.confirmationStatus)] ?? -1) >= (RANK[commitment] ?? 1);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readStatus(state: NetState, signature: string): Promise<SignatureStatus | null> {
  const answer = await state.rpc.request<{ value?: unknown }>('getSignatureStatuses', [
    [signature],
  ]);
  const first = Array.isArray(answer?.value) ? answer.value[0] : undefined;
  return first && typeof first === 'object' ? (first as SignatureStatus) : null;
}

async function blockhashValid(state: NetState, pre: Prechecked): Promise<boolean> {
  const answer = await state.rpc.request<{ value?: unknown }>('isBlockhashValid', [
    pre.tx.message.lifetimeToken,
    { commitment: 'processed' },
  ]);
  return answer?.value !== false;
}

/** Polls until confirmed, failed, unlandable or out of time (undefined). */
async function confirm(
  ctx: RailContext,
  pre: Prechecked,
  signed: Signed,
): Promise<SignatureStatus | 'expired' | undefined> {
  const { state } = pre;
  const deadline = Date.now() + ctx.confirmTimeoutMs;
  for (let round = 0; ; round++) {
    const status = await readStatus(state, signed.signature).catch(() => undefined);
    if (status && (status.err != null || reached(status, ctx.commitment))) return status;
    // Every few rounds: a transaction whose blockhash expired unseen can never land.
    if (
      status === null &&
      round % 10 === 9 &&
      !(await blockhashValid(state, pre).catch(() => true))
    ) {
      const last = await readStatus(state, signed.signature).catch(() => undefined);
      return last ?? 'expired';
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(state.pollIntervalMs);
  }
}

export async function settlePayment(
  ctx: RailContext,
  payment: PaymentPayload,
  req: PaymentRequirements,
): Promise<SettleResponse> {
  const pre = await precheck(ctx, payment, req);
  if (!pre.ok) return failedSettlement(req, pre.reason, pre.message, pre.payer);
  // Claim first: a second settle of the same message in this process never sends.
  if (ctx.inflight.has(pre.digest))
    return failedSettlement(
      req,
      SolanaReason.duplicateSettlement,
      'This payment is being settled',
      pre.payer,
    );
  ctx.inflight.add(pre.digest);
  try {
    return await doSettle(ctx, req, pre);
  } finally {
    ctx.inflight.delete(pre.digest);
  }
}

async function doSettle(
  ctx: RailContext,
  req: PaymentRequirements,
  pre: Prechecked,
): Promise<SettleResponse> {
  const signed = await coSign(pre);
  const checked = await checkOnChain(ctx, pre, signed);
  if (!checked.ok) {
    const transaction = checked.reason === SolanaReason.alreadySettled ? signed.signature : '';
    return failedSettlement(req, checked.reason, checked.message, pre.payer, transaction);
  }
  if (checked.landed)
    return failedSettlement(
      req,
      SolanaReason.transactionFailed,
      `Transaction ${signed.signature} already landed and failed`,
      pre.payer,
      signed.signature,
    );
  try {
    await pre.state.rpc.request<string>('sendTransaction', [
      signed.wire,
      // Simulated just above; preflight again would only add a round trip.
      { encoding: 'base64', skipPreflight: true, maxRetries: 5 },
    ]);
  } catch (error) {
    if (error instanceof RpcError) {
      const err = (error.data as { err?: unknown } | undefined)?.err;
      const mapped = err === undefined ? undefined : reasonForError(err);
      return failedSettlement(
        req,
        mapped?.reason ?? SolanaReason.transactionFailed,
        mapped?.message ?? `Sending failed: ${error.message}`,
        pre.payer,
      );
    }
    // The node may or may not have it: pending, reconciled later through status().
    throw new X402Error(SolanaReason.settlementPending, {
      message: `Sending ${signed.signature} failed midway: ${error instanceof Error ? error.message : String(error)}`,
      details: { transaction: signed.signature, network: req.network },
    });
  }
  await ctx.options.hooks?.afterBroadcast?.({
    paymentId: `${req.network}:${pre.digest}`,
    transaction: signed.signature,
  });
  const outcome = await confirm(ctx, pre, signed);
  if (outcome === undefined)
    // Thrown so a settlement journal keeps the payment pending and reconciles it via status().
    throw new X402Error(SolanaReason.settlementPending, {
      message: `Transaction ${signed.signature} was not confirmed within ${ctx.confirmTimeoutMs} ms; it is still pending`,
      details: { transaction: signed.signature, network: req.network },
    });
  if (outcome === 'expired')
    return failedSettlement(
      req,
      SolanaReason.blockhashExpired,
      'The transaction did not land before its blockhash expired',
      pre.payer,
      signed.signature,
    );
  if (outcome.err != null) {
    const { reason, message } = reasonForError(outcome.err);
    return failedSettlement(
      req,
      reason === SolanaReason.simulationFailed ? SolanaReason.transactionFailed : reason,
      message.replace('Simulation fails', 'The transaction failed'),
      pre.payer,
      signed.signature,
    );
  }
  return settled(req, pre, signed.signature);
}

/**
 * What became of a payment, for a settlement journal reconciling after a timeout or a crash.
 * A payment that never landed is `not_found`: resubmitting it sends the very same transaction
 * (the fee payer's signature is deterministic), which the chain accepts at most once.
 */
export async function paymentStatus(
  ctx: RailContext,
  payment: PaymentPayload,
  req: PaymentRequirements,
): Promise<RailPaymentStatus> {
  const decoded = decodeFor(ctx, payment, req);
  if (!decoded.ok) throw new X402Error(decoded.reason, { message: decoded.message });
  if (ctx.inflight.has(messageDigest(decoded.tx.transaction.messageBytes)))
    return { state: 'pending' };
  const signed = await coSign(decoded);
  const status = await readStatus(decoded.state, signed.signature);
  if (!status) return { state: 'not_found' };
  if (status.err != null) return { state: 'not_found' };
  if (!reached(status, ctx.commitment)) return { state: 'pending' };
  const pre = await precheck(ctx, payment, req);
  const payer = pre.ok ? pre.payer : undefined;
  return {
    state: 'settled',
    settlement: {
      success: true,
      transaction: signed.signature,
      network: req.network,
      ...(payer ? { payer } : {}),
      ...(pre.ok ? { amount: pre.transfer.amount.toString() } : { amount: req.amount }),
    },
  };
}
