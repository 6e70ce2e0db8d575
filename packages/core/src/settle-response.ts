/**
 * The one shape of a failed settlement, shared by the engines and every rail's facilitator, so a
 * refusal always carries the same fields whoever writes it.
 */
import type { PaymentRequirements, SettleResponse } from './schemas.js';

/**
 * A `SettleResponse` with `success: false`: the reason, a message for people, the network of the
 * requirements, and the payer and transaction when they are known (a sent transaction that failed).
 */
export function failedSettlement(
  requirements: Pick<PaymentRequirements, 'network'>,
  reason: string,
  message: string,
  payer?: string,
  transaction = '',
): SettleResponse {
  return {
    success: false,
    errorReason: reason,
    errorMessage: message,
    transaction,
    network: requirements.network,
    ...(payer ? { payer } : {}),
  };
}
