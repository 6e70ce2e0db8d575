/** The once-only key of a voucher payment: network, channel and cumulative amount. */
import { PayloadDecodeError, type PaymentPayload } from '@x402-rails/core';
import { decodeVoucherPayload } from './check.js';

export function deferredPaymentId(payload: PaymentPayload): string {
  const decoded = decodeVoucherPayload(payload);
  if (!decoded.ok) throw new PayloadDecodeError(decoded.reason, { message: decoded.message });
  const { channelId, maxClaimableAmount } = decoded.voucher;
  return `${payload.accepted.network}:${channelId.toLowerCase()}:${maxClaimableAmount}`;
}
