/**
 * Reasons of the credit-backed binding (ours). Where the on-chain binding has a fitting reason
 * (cumulative mismatch — the corrective 402 —, channel id, signature, receiver, busy channel) the
 * credit path answers with that one, so one client handles both.
 */
export const CreditReason = {
  /** The voucher's payer has no billing identity at this ledger. */
  unknownPayer: 'invalid_batch_settlement_credit_unknown_payer',
  /** The voucher's channel belongs to a billing period that has ended. */
  periodEnded: 'invalid_batch_settlement_credit_period_ended',
  /** The voucher's period is not the current one (a future or made-up period end). */
  periodMismatch: 'invalid_batch_settlement_credit_period_mismatch',
  /** Outstanding debt plus this price would exceed the payer's credit limit. */
  creditLimitExceeded: 'invalid_batch_settlement_credit_limit_exceeded',
  /** The channel's currency is not the requirements' (or the billing identity's). */
  currencyMismatch: 'invalid_batch_settlement_credit_currency_mismatch',
  /** A credit channel's salt must be zero: one channel per payer, receiver and period. */
  saltNotZero: 'invalid_batch_settlement_credit_salt_not_zero',
  /** Vouchers must be signed by the payer itself (payerAuthorizer zero or the payer). */
  payerAuthorizerMismatch: 'invalid_batch_settlement_credit_payer_authorizer_mismatch',
} as const;

export type CreditReason = (typeof CreditReason)[keyof typeof CreditReason];
