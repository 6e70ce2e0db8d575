/**
 * The x402 error reasons of the deferred rail: the official batch-settlement implementation's
 * names (`@x402/evm`, `invalid_batch_settlement_evm_*`) so its client reacts to ours — it reads
 * `cumulativeMismatch` as the corrective 402 — and a few precise ones of our own (marked).
 */
export const DeferredReason = {
  invalidPayload: 'invalid_payload',
  invalidScheme: 'invalid_scheme',
  invalidNetwork: 'invalid_network',
  // the official @x402/evm batch-settlement names
  payloadType: 'invalid_batch_settlement_evm_payload_type',
  voucherSignature: 'invalid_batch_settlement_evm_voucher_signature',
  channelIdInvalid: 'invalid_batch_settlement_evm_channel_id_invalid',
  channelIdMismatch: 'invalid_batch_settlement_evm_channel_id_mismatch',
  cumulativeMismatch: 'invalid_batch_settlement_evm_cumulative_amount_mismatch',
  cumulativeBelowClaimed: 'invalid_batch_settlement_evm_cumulative_below_claimed',
  cumulativeExceedsBalance: 'invalid_batch_settlement_evm_cumulative_exceeds_balance',
  receiverMismatch: 'invalid_batch_settlement_evm_receiver_mismatch',
  receiverAuthorizerMismatch: 'invalid_batch_settlement_evm_receiver_authorizer_mismatch',
  tokenMismatch: 'invalid_batch_settlement_evm_token_mismatch',
  withdrawDelayOutOfRange: 'invalid_batch_settlement_evm_withdraw_delay_out_of_range',
  withdrawDelayMismatch: 'invalid_batch_settlement_evm_withdraw_delay_mismatch',
  channelBusy: 'invalid_batch_settlement_evm_channel_busy',
  missingEip712Domain: 'invalid_batch_settlement_evm_missing_eip712_domain',
  // ours
  /** A 65-byte voucher signature whose s is in the upper half of the curve order (EIP-2). */
  voucherSignatureHighS: 'invalid_batch_settlement_evm_voucher_signature_high_s',
  /** The payload uses a deposit method this rail does not take (Permit2). */
  depositMethodUnsupported: 'invalid_batch_settlement_evm_deposit_method_unsupported',
} as const;

export type DeferredReason = (typeof DeferredReason)[keyof typeof DeferredReason];
