/** Stripe's error bodies: `{ error: { type, code, decline_code, message, param, ... } }`. */
export type StripeErrorType =
  | 'api_error'
  | 'card_error'
  | 'idempotency_error'
  | 'invalid_request_error';

export interface StripeErrorFields {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  charge?: string;
  payment_intent?: Record<string, unknown>;
  payment_method?: Record<string, unknown>;
  doc_url?: string;
}

/** Thrown inside the double; the server turns it into Stripe's error body and status. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly fields: StripeErrorFields,
    readonly headers: Record<string, string> = {},
  ) {
    super(fields.message);
  }

  body(): { error: StripeErrorFields } {
    const doc = this.fields.code
      ? { doc_url: `https://stripe.com/docs/error-codes/${this.fields.code.replaceAll('_', '-')}` }
      : {};
    return { error: { ...doc, ...this.fields } };
  }
}

export const invalidRequest = (message: string, extra: Partial<StripeErrorFields> = {}) =>
  new StripeApiError(400, { type: 'invalid_request_error', message, ...extra });

export const missing = (kind: string, id: string, param?: string) =>
  invalidRequest(`No such ${kind}: '${id}'`, {
    code: 'resource_missing',
    ...(param ? { param } : {}),
  });
