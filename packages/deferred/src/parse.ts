/** Parsing an untrusted batch-settlement payload into its typed form, or a PayloadDecodeError. */
import { PayloadDecodeError } from '@x402-rails/core';
import { type BatchSettlementPayload, batchSettlementPayloadSchema } from './payload.js';
import { DeferredReason } from './reasons.js';

/**
 * The payload validated, or throws `PayloadDecodeError` with code `invalid_payload` (malformed)
 * or the rail's `…_payload_type` (a type this rail does not take, e.g. `refund`) and
 * `…_deposit_method_unsupported` (a Permit2 deposit).
 */
export function parseBatchSettlementPayload(payload: unknown): BatchSettlementPayload {
  const type =
    typeof payload === 'object' && payload !== null
      ? (payload as Record<string, unknown>)['type']
      : undefined;
  if (type !== undefined && type !== 'voucher' && type !== 'deposit') {
    throw new PayloadDecodeError(DeferredReason.payloadType, {
      message: 'The batch-settlement payload type is not one this rail accepts.',
      details: { accepted: ['voucher', 'deposit'] },
    });
  }
  const parsed = batchSettlementPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    throw new PayloadDecodeError(DeferredReason.invalidPayload, {
      message: 'The batch-settlement payload is malformed.',
      details: {
        issues: parsed.error.issues
          .slice(0, 5)
          .map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      },
    });
  }
  if (
    parsed.data.type === 'deposit' &&
    !('erc3009Authorization' in parsed.data.deposit.authorization)
  ) {
    throw new PayloadDecodeError(DeferredReason.depositMethodUnsupported, {
      message: 'Only ERC-3009 deposits are accepted (no Permit2).',
    });
  }
  return parsed.data;
}
