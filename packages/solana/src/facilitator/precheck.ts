/** Everything verify and settle check before the chain: fields, decoding, the static rules. */

import type { Address } from '@solana/kit';
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import type { SolanaKey } from '../keys.js';
import { messageDigest } from '../payment-id.js';
import { SolanaReason } from '../reasons.js';
import { type DecodedTransaction, decodeTransaction, transactionOf } from '../transaction.js';
import {
  type CheckedTransfer,
  checkTransaction,
  type Failure,
  fail,
  isSolanaAddress,
} from './checks.js';
import type { NetState, RailContext } from './context.js';

export interface Prechecked {
  ok: true;
  state: NetState;
  tx: DecodedTransaction;
  transfer: CheckedTransfer;
  key: SolanaKey;
  /** The payment id's digest part (sha256 of the message). */
  digest: string;
  payer: Address;
}

/** Scheme, network, fee payer and decoding: what status() needs too. */
export function decodeFor(
  ctx: RailContext,
  payment: PaymentPayload,
  req: PaymentRequirements,
): Failure | { ok: true; state: NetState; tx: DecodedTransaction; key: SolanaKey } {
  if (req.scheme !== 'exact' || (payment.accepted && payment.accepted.scheme !== 'exact'))
    return fail(SolanaReason.invalidScheme, `Scheme ${req.scheme} is not exact`);
  const state = ctx.nets.get(req.network);
  if (!state) return fail(SolanaReason.invalidNetwork, `Network ${req.network} is not served here`);
  if (payment.accepted && payment.accepted.network !== req.network)
    return fail(SolanaReason.invalidNetwork, 'The payment was made for another network');
  const feePayer = req.extra?.['feePayer'];
  if (typeof feePayer !== 'string' || feePayer === '')
    return fail(SolanaReason.missingFeePayer, 'extra.feePayer is required');
  const key = ctx.keys.get(feePayer);
  if (!key)
    return fail(SolanaReason.feePayerNotManaged, `Fee payer ${feePayer} is not managed here`);
  if (
    !isSolanaAddress(req.asset) ||
    !isSolanaAddress(req.payTo) ||
    !/^[1-9][0-9]{0,19}$/.test(req.amount)
  )
    return fail(
      SolanaReason.invalidPayloadTransaction,
      'The requirements name no valid asset, payTo or amount',
    );
  const wire = transactionOf(payment.payload);
  if (wire === undefined)
    return fail(
      SolanaReason.invalidPayloadTransaction,
      'payload.transaction must be a base64 transaction',
    );
  const tx = decodeTransaction(wire);
  if (!tx) return fail(SolanaReason.couldNotDecode, 'The transaction could not be decoded');
  return { ok: true, state, tx, key };
}

export async function precheck(
  ctx: RailContext,
  payment: PaymentPayload,
  req: PaymentRequirements,
): Promise<Failure | Prechecked> {
  const decoded = decodeFor(ctx, payment, req);
  if (!decoded.ok) return decoded;
  const transfer = checkTransaction(decoded.tx, req, ctx.policy);
  if (!transfer.ok) return transfer;
  const payer = transfer.authority;
  const expected = await ctx.ataOf(req.payTo as Address, transfer.mint, transfer.tokenProgram);
  if (transfer.destination !== expected)
    return fail(
      SolanaReason.recipientMismatch,
      `The destination ${transfer.destination} is not payTo's associated token account ${expected}`,
      payer,
    );
  return {
    ...decoded,
    transfer,
    digest: messageDigest(decoded.tx.transaction.messageBytes),
    payer,
  };
}
