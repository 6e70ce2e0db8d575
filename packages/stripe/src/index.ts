/**
 * @x402-rails/stripe — card payments as x402 payments on Stripe: authorize on verify, capture on
 * settle, void on failure. Shared pieces here; the roles on `./client`, `./server`, `./facilitator`.
 */
export { containsCardNumber, passesLuhn } from './luhn.js';
export {
  assertChargeable,
  currencyDecimals,
  minimumChargeOf,
  STRIPE_MAXIMUM_CHARGE,
  STRIPE_MINIMUM_CHARGE,
} from './minimums.js';
export {
  isStripeNetwork,
  networkOfKey,
  STRIPE_NETWORKS,
  type StripeNetwork,
} from './network.js';
export {
  type ParsedStripePayload,
  parseStripeCardPayload,
  STRIPE_SCHEME,
  type StripeCardPayload,
  StripeCardPayloadSchema,
} from './payload.js';
export { stripePaymentId } from './payment-id.js';
export { StripeReason } from './reasons.js';
