/** The once-only key of a voucher payment: network, channel and cumulative amount. */
import { PayloadDecodeError, type PaymentPayload } from '@x402-rails/core';
import { decodeVoucherPayload } from './check.js';
import { depositViewOf } from './deposit-relay.js';

/** A deposit payload's id is its voucher's: whether it is relayed is the facilitator's call. */
export function deferredPaymentId(payload: PaymentPayload): string {
  const decoded = decodeVoucherPayload(depositViewOf(payload)?.voucherView ?? payload);
  if (!decoded.ok) throw new PayloadDecodeError(decoded.reason, { message: decoded.message });
  const { channelId, maxClaimableAmount } = decoded.voucher;
  return `${payload.accepted.network}:${channelId.toLowerCase()}:${maxClaimableAmount}`;
}
