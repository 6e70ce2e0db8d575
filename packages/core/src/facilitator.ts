/** Facilitator role: the in-process engine, its Fetch handler, and the HTTP facilitator client. */

export { FacilitatorError, X402Error } from './errors.js';
export {
  createFacilitator,
  type Facilitator,
  type FacilitatorOptions,
} from './facilitator/engine.js';
export { createFacilitatorHandler, type FacilitatorHandlerOptions } from './facilitator/handler.js';
export {
  createHttpFacilitatorClient,
  type FacilitatorOperation,
  type HttpFacilitatorClientOptions,
} from './facilitator/http-client.js';
export type { FacilitatorContext, SchemeFacilitator } from './scheme.js';
export { failedSettlement } from './settle-response.js';
