/** Server role: the resource-server engine, route config, paywall and a remote facilitator client. */

export { ConfigError, PayloadDecodeError, X402Error } from './errors.js';
export {
  createHttpFacilitatorClient,
  type FacilitatorOperation,
  type HttpFacilitatorClientOptions,
} from './facilitator/http-client.js';
export type { DisplayAmount, PriceInput, RequirementsContext, SchemeServer } from './scheme.js';
export {
  type CorsOptions,
  createResourceServer,
  type PaidHandler,
  type PaymentEvent,
  type ResourceServer,
  type ResourceServerOptions,
} from './server/engine.js';
export {
  type Admission,
  type AdmittedPayment,
  createPaymentLifecycle,
  type PaymentLifecycle,
  type PaymentLifecycleOptions,
  type Refusal,
  type SettlementOutcome,
} from './server/lifecycle.js';
export { type MatchResult, matchAccepted } from './server/match.js';
export { escapeHtml, type PaywallOptions, renderPaywall } from './server/paywall.js';
export {
  EXPOSED_PAYMENT_HEADERS,
  paymentRequiredBody,
  paymentRequiredError,
} from './server/respond.js';
export {
  acceptsOf,
  createOfferResolver,
  type PriceSpec,
  type ResolvedOffer,
  type RouteAccept,
  type RoutePaymentConfig,
  resourceUrlOf,
} from './server/route.js';
