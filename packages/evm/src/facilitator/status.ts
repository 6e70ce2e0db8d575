/**
 * status(): what became of a payment, for a settlement journal reconciling after a timeout or a
 * crash — settled (with its transaction), still pending, or not found.
 */
import {
  type PaymentPayload,
  type PaymentRequirements,
  type RailPaymentStatus,
  X402Error,
} from '@x402-rails/core';
import { parseExactEvmPayload } from '../payload.js';
import { exactEvmPaymentId } from '../payment-id.js';
import { EvmReason } from '../reasons.js';
import { decodeBool, encode } from './abi.js';
import type { RailContext } from './context.js';
import type { TransactionReceipt } from './receipts.js';
import { findUse, settledFrom } from './settle.js';

export async function paymentStatus(
  ctx: RailContext,
  payment: PaymentPayload,
  req: PaymentRequirements,
): Promise<RailPaymentStatus> {
  const p = parseExactEvmPayload(payment.payload);
  const state = ctx.nets.get(req.network);
  if (!p || !state)
    throw new X402Error(EvmReason.invalidPayload, { message: 'Not an exact-EVM payload' });
  const id = exactEvmPaymentId(payment);
  if (ctx.inflight.has(id)) return { state: 'pending' };
  const asset = req.asset.toLowerCase();
  const used = await state.rpc.request<string>('eth_call', [
    { to: asset, data: encode.authorizationState(p.from, p.nonce) },
    'latest',
  ]);
  if (decodeBool(used)) {
    const use = await findUse(ctx, state, asset, p);
    if (!use) return { state: 'pending' };
    if (use.canceled) return { state: 'not_found' };
    const settled = settledFrom(use.receipt, req, asset, p);
    return settled.success ? { state: 'settled', settlement: settled } : { state: 'not_found' };
  }
  const known = ctx.broadcast.get(id);
  if (known) {
    const receipt = await state.rpc.request<TransactionReceipt | null>(
      'eth_getTransactionReceipt',
      [known.hash],
    );
    if (!receipt) return { state: 'pending' };
    ctx.broadcast.delete(id);
  }
  // Unused on chain. A transaction of ours may still be waiting in the node's pool (after a
  // crash we cannot know whose): report pending until our keys have nothing unmined.
  if (await state.sender.hasUnminedTransactions()) return { state: 'pending' };
  return { state: 'not_found' };
}
