/**
 * What a resource server needs from a facilitator, in-process or over HTTP.
 */
import type {
  PaymentPayload,
  PaymentRequirements,
  SettleResponse,
  SupportedResponse,
  VerifyResponse,
} from './schemas.js';

export interface FacilitatorCallOptions {
  signal?: AbortSignal;
}

export interface FacilitatorClient {
  verify(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    options?: FacilitatorCallOptions,
  ): Promise<VerifyResponse>;
  settle(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    options?: FacilitatorCallOptions,
  ): Promise<SettleResponse>;
  /** Voids a hold placed by verify (card rails). */
  release(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    options?: FacilitatorCallOptions,
  ): Promise<void>;
  supported(options?: FacilitatorCallOptions): Promise<SupportedResponse>;
}
