/**
 * The x402 error reasons of the Stripe card rail: the core table's names where one fits
 * (`insufficient_funds`, `amount_mismatch`, ...) and the card-specific ones of our own.
 */
export const StripeReason = {
  // core / x402 v2 names
  invalidPayload: 'invalid_payload',
  invalidScheme: 'invalid_scheme',
  invalidNetwork: 'invalid_network',
  amountMismatch: 'amount_mismatch',
  recipientMismatch: 'recipient_mismatch',
  assetMismatch: 'asset_mismatch',
  alreadyUsed: 'payment_already_used',
  insufficientFunds: 'insufficient_funds',
  unexpectedVerifyError: 'unexpected_verify_error',
  unexpectedSettleError: 'unexpected_settle_error',
  // ours
  /** The issuer declined the card; the details carry Stripe's `decline_code`. */
  cardDeclined: 'card_declined',
  /** The card needs 3-D Secure, which an unattended x402 payment cannot do. */
  authenticationRequired: 'card_authentication_required',
  /** The payment id was already used with other terms (Stripe's `idempotency_error`). */
  paymentIdConflict: 'payment_id_conflict',
  /** The Shared Payment Token has expired. */
  tokenExpired: 'shared_payment_token_expired',
  /** The Shared Payment Token was already used (they are single use) or revoked. */
  tokenUsed: 'shared_payment_token_used',
  /** The payment is beyond the Shared Payment Token's usage limits (amount, currency). */
  tokenLimits: 'shared_payment_token_limits_exceeded',
  /** Stripe does not know the PaymentMethod or token (wrong account or mode, or made up). */
  credentialNotFound: 'payment_credential_not_found',
  /** The price is below Stripe's minimum charge for the currency. */
  amountBelowMinimum: 'amount_below_minimum',
  /** The price is above Stripe's largest charge (eight digits of minor units). */
  amountAboveMaximum: 'amount_above_maximum',
  /** The authorization hold was voided (released, swept, or lapsed after 7 days). */
  authorizationCanceled: 'card_authorization_canceled',
  /** The PaymentIntent is in a state this rail did not expect. */
  unexpectedState: 'invalid_transaction_state',
} as const;

export type StripeReason = (typeof StripeReason)[keyof typeof StripeReason];
