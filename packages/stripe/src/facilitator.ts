/** Facilitator role of the Stripe card rail: authorize, capture, void, refund, sweep, status. */
export type { StripeConnection } from './api.js';
export { classifyStripeError, type StripeFailure } from './facilitator/failure.js';
export {
  createMemoryHoldStore,
  type StripeHold,
  type StripeHoldStore,
} from './facilitator/holds.js';
export type {
  StripeCardFacilitator,
  StripeCardFacilitatorOptions,
  StripeRefund,
  StripeRefundRequest,
  SweepResult,
} from './facilitator/options.js';
export { createStripeCardFacilitator } from './facilitator/rail.js';
export { STRIPE_SCHEME } from './payload.js';
export { StripeReason } from './reasons.js';
