/** Client role of the Stripe card rail: wraps a buyer-side credential (pm_ / spt_) in a payload. */

export type { StripeConnection } from './api.js';
export {
  createStripeCardClient,
  type StripeCardClientOptions,
  type StripeCredentialProvider,
} from './client/client.js';
export { type TestCardCredentialOptions, testCardCredential } from './client/test-card.js';
export { STRIPE_SCHEME } from './payload.js';
