/** Server role of the Stripe card rail: prices to requirements (minimums enforced), the payment id. */
export { STRIPE_MINIMUM_CHARGE } from './minimums.js';
export { STRIPE_SCHEME } from './payload.js';
export { stripePaymentId } from './payment-id.js';
export { createStripeCardServer, type StripeCardServerOptions } from './server/server.js';
