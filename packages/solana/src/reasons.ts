/**
 * The x402 error reasons of the Solana exact rail: the official implementation's names
 * (`@x402/svm`, `invalid_exact_svm_*`) where it has one, the core vocabulary for scheme, network,
 * replay and funds, and a few precise ones of our own (marked) for checks the official one lacks.
 */
export const SolanaReason = {
  // core vocabulary
  invalidScheme: 'invalid_scheme',
  invalidNetwork: 'invalid_network',
  insufficientFunds: 'insufficient_funds',
  /** The transaction already landed: settled before. */
  alreadySettled: 'payment_already_used',
  settlementPending: 'settlement_pending',
  // the official @x402/svm facilitator's names
  missingFeePayer: 'invalid_exact_svm_payload_missing_fee_payer',
  feePayerNotManaged: 'invalid_exact_svm_fee_payer_not_managed_by_facilitator',
  invalidPayloadTransaction: 'invalid_exact_svm_payload_transaction',
  couldNotDecode: 'invalid_exact_svm_payload_transaction_could_not_be_decoded',
  feePayerMismatch: 'invalid_exact_svm_fee_payer_mismatch',
  signatureInvalid: 'invalid_exact_svm_payload_signature_invalid',
  excessiveSigners: 'invalid_exact_svm_payload_excessive_signers',
  instructionsLength: 'invalid_exact_svm_payload_transaction_instructions_length',
  computeLimitInstruction:
    'invalid_exact_svm_payload_transaction_instructions_compute_limit_instruction',
  computeLimitTooHigh:
    'invalid_exact_svm_payload_transaction_instructions_compute_limit_instruction_too_high',
  computePriceInstruction:
    'invalid_exact_svm_payload_transaction_instructions_compute_price_instruction',
  computePriceTooHigh:
    'invalid_exact_svm_payload_transaction_instructions_compute_price_instruction_too_high',
  noTransferInstruction: 'invalid_exact_svm_payload_no_transfer_instruction',
  unknownFourthInstruction: 'invalid_exact_svm_payload_unknown_fourth_instruction',
  unknownFifthInstruction: 'invalid_exact_svm_payload_unknown_fifth_instruction',
  unknownSixthInstruction: 'invalid_exact_svm_payload_unknown_sixth_instruction',
  feePayerTransferringFunds: 'invalid_exact_svm_payload_transaction_fee_payer_transferring_funds',
  mintMismatch: 'invalid_exact_svm_payload_mint_mismatch',
  recipientMismatch: 'invalid_exact_svm_payload_recipient_mismatch',
  amountMismatch: 'invalid_exact_svm_payload_amount_mismatch',
  memoCount: 'invalid_exact_svm_payload_memo_count',
  memoMismatch: 'invalid_exact_svm_payload_memo_mismatch',
  simulationFailed: 'invalid_exact_svm_transaction_simulation_failed',
  transactionFailed: 'invalid_exact_svm_transaction_failed',
  duplicateSettlement: 'duplicate_settlement',
  // ours
  /** The fee payer's signature slot is not empty: the client may not sign for the facilitator. */
  feePayerSignaturePresent: 'invalid_exact_svm_payload_fee_payer_signature_present',
  /** The message is not version 0 (legacy messages are refused, as the specification asks for v0). */
  transactionVersion: 'invalid_exact_svm_payload_transaction_version',
  /** The message uses address lookup tables, whose accounts cannot be checked statically. */
  addressLookupTables: 'invalid_exact_svm_payload_address_lookup_tables',
  /** The fee payer appears in an instruction's accounts (other than as source or authority). */
  feePayerInInstruction: 'invalid_exact_svm_payload_fee_payer_in_instruction_accounts',
  /** Neither the payTo's associated token account exists nor may it be created by this payment. */
  destinationMissing: 'invalid_exact_svm_payload_destination_account_missing',
  /** TransferChecked names other decimals than the mint's (token program error 18). */
  decimalsMismatch: 'invalid_exact_svm_payload_mint_decimals_mismatch',
  /** The transaction's blockhash is no longer valid: the payment expired before it was settled. */
  blockhashExpired: 'invalid_exact_svm_payload_blockhash_expired',
  /** The second signer is not the transfer's authority. */
  authorityNotSigner: 'invalid_exact_svm_payload_authority_not_signer',
  /** The memo exceeds 256 bytes or is not UTF-8. */
  memoInvalid: 'invalid_exact_svm_payload_memo_invalid',
} as const;

export type SolanaReason = (typeof SolanaReason)[keyof typeof SolanaReason];
