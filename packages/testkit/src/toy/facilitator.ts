/**
 * Facilitator role of the toy rail. Verify checks everything and moves nothing (with `holds`,
 * it reserves the amount); settle re-verifies and applies the transfer atomically, at most once.
 */
import { createHash } from 'node:crypto';
import {
  type FacilitatorContext,
  type Network,
  PayloadDecodeError,
  type PaymentPayload,
  type PaymentRequirements,
  type SchemeFacilitator,
  type SettleResponse,
  type VerifyResponse,
} from '@x402-rails/core';
import type { ToyChain, ToyTransferRecord } from './chain.js';
import { TOY_CLOCK_SKEW_SECONDS, TOY_NETWORK, TOY_SCHEME } from './constants.js';
import { verifyToySignature } from './keys.js';
import { type ToyPayload, ToyPayloadSchema, toyPaymentId, toyTransferMessage } from './payload.js';

export interface ToyFacilitatorOptions {
  chain: ToyChain;
  network?: Network;
  /** Verify reserves funds and release voids the reservation, like a card authorization. */
  holds?: boolean;
  now?: () => number;
  /**
   * Runs after the chain applied a transfer and before settle returns. Tests use it to stop a
   * facilitator at the worst moment (money moved, journal not yet written).
   */
  afterTransfer?: () => Promise<void>;
}

type Checked =
  | { ok: true; payload: ToyPayload }
  | { ok: false; reason: string; message: string; payer?: string };

function settledResponse(record: ToyTransferRecord, network: Network): SettleResponse {
  return {
    success: true,
    transaction: record.id,
    network,
    payer: record.from,
    amount: record.amount.toString(),
  };
}

function parsePayload(payment: PaymentPayload): ToyPayload {
  const parsed = ToyPayloadSchema.safeParse(payment.payload);
  if (!parsed.success)
    throw new PayloadDecodeError('invalid_payload', { message: 'Not a toy transfer payload' });
  return parsed.data;
}

export function createToyFacilitator(options: ToyFacilitatorOptions): SchemeFacilitator {
  const network = options.network ?? TOY_NETWORK;
  const now = options.now ?? Date.now;
  const { chain } = options;
  const holdKey = (p: ToyPayload) => `${p.transfer.from}:${p.transfer.nonce}`;

  function check(payment: PaymentPayload, req: PaymentRequirements): Checked {
    if (req.network !== network)
      return {
        ok: false,
        reason: 'invalid_network',
        message: `This facilitator serves ${network}`,
      };
    const parsed = ToyPayloadSchema.safeParse(payment.payload);
    if (!parsed.success)
      return { ok: false, reason: 'invalid_payload', message: 'Not a toy transfer payload' };
    const payload = parsed.data;
    const t = payload.transfer;
    const fail = (reason: string, message: string): Checked => ({
      ok: false,
      reason,
      message,
      payer: t.from,
    });
    if (!verifyToySignature(t.from, toyTransferMessage(req.network, t), payload.signature)) {
      return fail('invalid_signature', 'The signature does not match the transfer');
    }
    if (t.to !== req.payTo)
      return fail('recipient_mismatch', 'The transfer pays another recipient');
    if (t.asset !== req.asset) return fail('asset_mismatch', 'The transfer is in another asset');
    if (t.amount !== req.amount)
      return fail('amount_mismatch', `The transfer is for ${t.amount}, the price is ${req.amount}`);
    const seconds = Math.floor(now() / 1000);
    if (t.validAfter > seconds + TOY_CLOCK_SKEW_SECONDS)
      return fail('payment_not_yet_valid', 'validAfter is in the future');
    if (t.validBefore <= seconds) return fail('payment_expired', 'validBefore has passed');
    if (t.validBefore > seconds + req.maxTimeoutSeconds + TOY_CLOCK_SKEW_SECONDS) {
      return fail('invalid_payload', 'validBefore is further away than maxTimeoutSeconds allows');
    }
    if (chain.isNonceUsed(t.from, t.nonce))
      return fail('payment_already_used', 'The nonce has been used');
    const hasHold = options.holds === true && chain.hasHold(holdKey(payload));
    if (!hasHold && chain.available(t.from) < BigInt(t.amount))
      return fail('insufficient_funds', 'Balance too low');
    return { ok: true, payload };
  }

  return {
    scheme: TOY_SCHEME,
    networks: [network],
    async verify(payment, req, _context?: FacilitatorContext): Promise<VerifyResponse> {
      const checked = check(payment, req);
      if (!checked.ok) {
        return {
          isValid: false,
          invalidReason: checked.reason,
          invalidMessage: checked.message,
          ...(checked.payer ? { payer: checked.payer } : {}),
        };
      }
      const t = checked.payload.transfer;
      if (options.holds) chain.placeHold(holdKey(checked.payload), t.from, BigInt(t.amount));
      return { isValid: true, payer: t.from };
    },
    async settle(payment, req): Promise<SettleResponse> {
      const checked = check(payment, req);
      if (!checked.ok) {
        return {
          success: false,
          errorReason: checked.reason,
          errorMessage: checked.message,
          transaction: '',
          network: req.network,
          ...(checked.payer ? { payer: checked.payer } : {}),
        };
      }
      const { transfer: t, signature } = checked.payload;
      const id = createHash('sha256').update(signature).digest('hex');
      const applied = chain.transfer({
        from: t.from,
        to: t.to,
        amount: BigInt(t.amount),
        nonce: t.nonce,
        id,
        ...(options.holds ? { holdKey: holdKey(checked.payload) } : {}),
      });
      if (!applied.ok)
        return {
          success: false,
          errorReason: applied.reason,
          transaction: '',
          network: req.network,
          payer: t.from,
        };
      await options.afterTransfer?.();
      return settledResponse(applied.record, req.network);
    },
    paymentId(payment) {
      const id = toyPaymentId(network, payment.payload);
      if (id === undefined)
        throw new PayloadDecodeError('invalid_payload', { message: 'Not a toy transfer payload' });
      return id;
    },
    async status(payment, req) {
      const { transfer: t } = parsePayload(payment);
      const record = chain.findTransfer(t.from, t.nonce);
      return record
        ? { state: 'settled', settlement: settledResponse(record, req.network) }
        : { state: 'not_found' };
    },
    async release(payment) {
      const parsed = ToyPayloadSchema.safeParse(payment.payload);
      if (parsed.success) chain.releaseHold(holdKey(parsed.data));
    },
  };
}
