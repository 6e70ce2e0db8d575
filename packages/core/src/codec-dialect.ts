/**
 * Which x402 version a request speaks, and how to read and answer it in that version. This is the
 * one place that knows about versions: the resource-server engine asks `negotiateDialect` and
 * calls what it returns, and never branches on a version itself.
 *
 * - `PAYMENT-SIGNATURE` present → version 2 (a version 1 payload inside it is refused with
 *   `invalid_x402_version`, answered in version 2).
 * - else `X-PAYMENT` present → version 1: decoded into the version 2 structures, answered with the
 *   version 1 402 body and `X-PAYMENT-RESPONSE`.
 * - neither → first contact: the version 2 `PAYMENT-REQUIRED` header, plus a version 1 402 body
 *   so that a version 1 client, which reads only the body, can pay too (a version 2 client reads
 *   the header and ignores the body).
 */
import {
  type DecodeOptions,
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
} from './codec.js';
import {
  decodePaymentHeaderV1,
  encodePaymentResponseHeaderV1,
  paymentPayloadFromV1,
  paymentRequiredToV1,
} from './codec-v1.js';
import type {
  PaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  SettleResponse,
} from './schemas.js';

export interface WireRefusal {
  headers: Record<string, string>;
  /** The JSON body (a browser may get the paywall page instead). */
  body: unknown;
}

export interface WireDialect {
  readonly name: 'v2' | 'v1' | 'first-contact';
  /** Response headers a browser client must be allowed to read (`Access-Control-Expose-Headers`). */
  readonly exposedHeaders: string;
  /** The incoming payment header as the version 2 payload; throws `PayloadDecodeError`. */
  decodePayment(
    header: string,
    offers: readonly { requirements: PaymentRequirements }[],
    options: DecodeOptions,
  ): PaymentPayload;
  /**
   * Headers and body of a 402/400 answer. `required.error` is already set (the reason code of a
   * refusal, see `paymentRequiredError`); `message` is for people.
   */
  refusal(required: PaymentRequired, reason: string, message: string): WireRefusal;
  /** Headers carrying a settlement result. */
  settlementHeaders(settlement: SettleResponse): Record<string, string>;
}

const v2Settlement = (settlement: SettleResponse) => ({
  'payment-response': encodePaymentResponseHeader(settlement),
});

/** The version 1 402 body; `error` is the reason, as version 1 servers sent it. */
const v1Body = (required: PaymentRequired, reason: string, message: string) => ({
  ...paymentRequiredToV1(required, reason),
  message,
});

const V2: WireDialect = {
  name: 'v2',
  exposedHeaders: 'PAYMENT-REQUIRED, PAYMENT-RESPONSE',
  decodePayment: (header, _offers, options) => decodePaymentSignatureHeader(header, options),
  refusal: (required, reason, message) => ({
    headers: { 'payment-required': encodePaymentRequiredHeader(required) },
    body: { x402Version: 2, error: reason, message },
  }),
  settlementHeaders: v2Settlement,
};

const V1: WireDialect = {
  name: 'v1',
  exposedHeaders: 'X-PAYMENT-RESPONSE',
  decodePayment: (header, offers, options) =>
    paymentPayloadFromV1(
      decodePaymentHeaderV1(header, options),
      offers.map((o) => o.requirements),
    ),
  // Version 1 has no PAYMENT-REQUIRED header: the body is the whole answer.
  refusal: (required, reason, message) => ({
    headers: {},
    body: v1Body(required, reason, message),
  }),
  settlementHeaders: (settlement) => ({
    'x-payment-response': encodePaymentResponseHeaderV1(settlement),
  }),
};

const FIRST_CONTACT: WireDialect = {
  ...V2,
  name: 'first-contact',
  refusal: (required, reason, message) => ({
    headers: { 'payment-required': encodePaymentRequiredHeader(required) },
    body: v1Body(required, reason, message),
  }),
};

/** The dialect every answer that belongs to no request uses (version 2). */
export const DEFAULT_DIALECT: WireDialect = V2;

/** The dialect a request speaks and its payment header (null when it carries none). */
export function negotiateDialect(request: Request): {
  dialect: WireDialect;
  header: string | null;
} {
  const v2 = request.headers.get('payment-signature');
  if (v2 !== null) return { dialect: V2, header: v2 };
  const v1 = request.headers.get('x-payment');
  if (v1 !== null) return { dialect: V1, header: v1 };
  return { dialect: FIRST_CONTACT, header: null };
}
