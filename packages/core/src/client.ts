/** Client role: the paying fetch wrapper and the spending policy. */
export {
  createPaymentClient,
  type PaymentClient,
  type PaymentClientOptions,
  type PaymentReceipt,
} from './client/engine.js';
export {
  type AmountLimits,
  isAllowed,
  limitViolation,
  rankOffers,
  type SpendingPolicy,
  SpendingTracker,
} from './client/policy.js';
export { PayloadDecodeError, PaymentRefusedError, X402Error } from './errors.js';
export type { CreatedPayment, CreatePaymentContext, SchemeClient } from './scheme.js';
