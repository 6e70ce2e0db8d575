/**
 * A local Stripe test double for tests and the playground: an HTTP server on 127.0.0.1 that the
 * real `stripe` SDK talks to (PaymentIntents, PaymentMethods, Customers with saved cards, Refunds,
 * Shared Payment Tokens),
 * with Stripe's test cards, idempotency keys, error bodies and minimums, and every response
 * checked against Stripe's OpenAPI description.
 */

export type { Bank as StripeDoubleBank } from './stripe/bank.js';
export {
  DOUBLE_MINIMUMS,
  TEST_CARDS,
  type TestCard,
  testCardFingerprint,
  testCardOf,
} from './stripe/cards.js';
export type { CustomerRecord } from './stripe/customers.js';
export { assertStripeShape, type StripeSchemaName, StripeShapeError } from './stripe/oas.js';
export type {
  GrantedTokenRecord,
  PaymentIntentRecord,
  PaymentMethodRecord,
  RefundRecord,
} from './stripe/objects.js';
export {
  type StripeDouble,
  type StripeDoubleAccount,
  type StripeDoubleOptions,
  type StripeFault,
  startStripeDouble,
} from './stripe/server.js';
