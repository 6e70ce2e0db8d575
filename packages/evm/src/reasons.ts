/**
 * The x402 error reasons of the EVM exact rail. The x402 v2 specification's names where it has one
 * (`invalid_exact_evm_payload_*`, `insufficient_funds`, ...), the official implementation's names
 * (`@x402/evm`) where the specification has none, and a few precise ones of our own (marked).
 */
export const EvmReason = {
  // x402 v2 specification, section 9
  signature: 'invalid_exact_evm_payload_signature',
  recipientMismatch: 'invalid_exact_evm_payload_recipient_mismatch',
  valueMismatch: 'invalid_exact_evm_payload_authorization_value_mismatch',
  validAfter: 'invalid_exact_evm_payload_authorization_valid_after',
  validBefore: 'invalid_exact_evm_payload_authorization_valid_before',
  insufficientFunds: 'insufficient_funds',
  invalidPayload: 'invalid_payload',
  invalidScheme: 'invalid_scheme',
  invalidNetwork: 'invalid_network',
  // the official @x402/evm facilitator's names
  missingDomain: 'invalid_exact_evm_missing_eip712_domain',
  tokenNameMismatch: 'invalid_exact_evm_token_name_mismatch',
  tokenVersionMismatch: 'invalid_exact_evm_token_version_mismatch',
  assetNotContract: 'asset_not_deployed_contract',
  nonceUsed: 'invalid_exact_evm_nonce_already_used',
  simulationFailed: 'invalid_exact_evm_transaction_simulation_failed',
  factoryNotAllowed: 'eip6492_factory_not_allowed',
  undeployedWallet: 'invalid_exact_evm_payload_undeployed_smart_wallet',
  walletDeploymentFailed: 'smart_wallet_deployment_failed',
  transactionFailed: 'invalid_exact_evm_transaction_failed',
  transferEventMismatch: 'invalid_exact_evm_transfer_event_mismatch',
  settlementPending: 'settlement_pending',
  // ours
  /** A 65-byte signature whose s is in the upper half of the curve order (malleable; EIP-2). */
  signatureHighS: 'invalid_exact_evm_payload_signature_high_s',
  /** validBefore further away than maxTimeoutSeconds (plus the clock-skew margin) allows. */
  validBeforeTooFar: 'invalid_exact_evm_payload_authorization_valid_before_too_far',
  /** The token's DOMAIN_SEPARATOR differs from the domain's although name and version match. */
  domainMismatch: 'invalid_exact_evm_eip712_domain_mismatch',
  /** The asset is not one this facilitator accepts on the network. */
  assetNotAccepted: 'invalid_exact_evm_asset_not_accepted',
  /** The network's gas price is above the configured ceiling: nothing was sent. */
  gasPriceTooHigh: 'invalid_exact_evm_gas_price_above_ceiling',
  /** This facilitator is already settling this authorization. */
  settlementInProgress: 'settlement_in_progress',
} as const;

export type EvmReason = (typeof EvmReason)[keyof typeof EvmReason];
