/**
 * The x402 error vocabulary: one table from reason to HTTP status and message, and one
 * base error class carrying a stable `code` (always a reason from this table or a rail's own).
 */

/** Reasons defined by the x402 specification and the ones x402-rails adds. */
export const ERROR_REASONS = {
  payment_required: { status: 402, message: 'Payment is required to access this resource.' },
  invalid_payload: { status: 400, message: 'The payment payload is malformed.' },
  invalid_x402_version: {
    status: 400,
    message:
      'This x402 protocol version is not accepted here (version 2 in PAYMENT-SIGNATURE, version 1 in X-PAYMENT).',
  },
  invalid_payment_requirements: {
    status: 402,
    message: 'The accepted payment requirements do not match what this resource offers.',
  },
  invalid_scheme: { status: 402, message: 'The payment scheme is not offered here.' },
  unsupported_scheme: { status: 402, message: 'The payment scheme is not supported.' },
  invalid_network: { status: 402, message: 'The payment network is not supported here.' },
  resource_mismatch: { status: 402, message: 'The payment was made for another resource.' },
  payment_already_used: { status: 402, message: 'This payment has already been used.' },
  payment_expired: { status: 402, message: 'The payment authorization has expired.' },
  payment_not_yet_valid: { status: 402, message: 'The payment authorization is not valid yet.' },
  insufficient_funds: { status: 402, message: 'The payer does not have enough funds.' },
  invalid_signature: { status: 402, message: 'The payment signature is invalid.' },
  amount_mismatch: { status: 402, message: 'The paid amount differs from the price.' },
  recipient_mismatch: { status: 402, message: 'The payment goes to another recipient.' },
  asset_mismatch: { status: 402, message: 'The payment is in another asset.' },
  invalid_transaction_state: { status: 402, message: 'The payment transaction failed.' },
  settlement_failed: { status: 402, message: 'The payment could not be settled.' },
  settlement_in_progress: {
    status: 402,
    message: 'This payment is being settled by another request.',
  },
  settlement_pending: {
    status: 402,
    message: 'The payment was submitted and is not confirmed yet; retry later.',
  },
  settlement_unknown: {
    status: 402,
    message: 'An interrupted settlement of this payment could not be reconciled.',
  },
  unexpected_verify_error: { status: 500, message: 'The payment could not be verified.' },
  unexpected_settle_error: { status: 500, message: 'The payment could not be settled.' },
  facilitator_unavailable: { status: 503, message: 'The payment facilitator is unavailable.' },
  invalid_facilitator_response: {
    status: 502,
    message: 'The payment facilitator sent an invalid response.',
  },
  policy_rejected: { status: 402, message: 'The spending policy refused this payment.' },
  no_payable_option: { status: 402, message: 'None of the offered payment options can be paid.' },
  invalid_config: { status: 500, message: 'The payment configuration is invalid.' },
  invalid_amount: { status: 400, message: 'The amount is not a valid decimal for this asset.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A reason from the core vocabulary. Rails may use reasons of their own (any string). */
export type CoreErrorReason = keyof typeof ERROR_REASONS;
/** Any x402 error reason: a core one, or a rail-specific string such as `invalid_exact_evm_payload_signature`. */
export type ErrorReason = CoreErrorReason | (string & {});

/** HTTP status and human message for a reason; a rail's own reason that is not in the table is a 402. */
export function describeReason(reason: ErrorReason): { status: number; message: string } {
  // Own properties only: a reason such as "constructor" or "__proto__" (e.g. from a facilitator) is not in the table.
  if (Object.hasOwn(ERROR_REASONS, reason)) {
    return (ERROR_REASONS as Record<string, { status: number; message: string }>)[reason] as {
      status: number;
      message: string;
    };
  }
  return { status: 402, message: `The payment was refused (${reason}).` };
}

export interface X402ErrorOptions {
  /** Short human message; defaults to the reason's message from the table. */
  message?: string;
  /** Structured details safe to show the caller (no secrets). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Base class of every error x402-rails throws. `code` is stable and is an x402 error reason.
 *
 * @example
 * try { decodePaymentSignatureHeader(value) } catch (e) {
 *   if (e instanceof X402Error && e.code === 'invalid_payload') return badRequest(e.message);
 * }
 */
export class X402Error extends Error {
  override readonly name: string = 'X402Error';
  readonly code: ErrorReason;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorReason, options: X402ErrorOptions = {}) {
    super(options.message ?? describeReason(code).message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** The HTTP status the reason maps to. */
  get status(): number {
    return describeReason(this.code).status;
  }
}

/** A header, payload or body that failed decoding or validation. */
export class PayloadDecodeError extends X402Error {
  override readonly name = 'PayloadDecodeError';
}

/** A configuration value that can never work (bad price, unknown network, missing rail). */
export class ConfigError extends X402Error {
  override readonly name = 'ConfigError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('invalid_config', { message, details });
  }
}

/** The facilitator could not be reached or answered with something that is not x402. */
export class FacilitatorError extends X402Error {
  override readonly name = 'FacilitatorError';
}

/** The client engine refused to pay (policy, budget, confirmation, no payable option). */
export class PaymentRefusedError extends X402Error {
  override readonly name = 'PaymentRefusedError';
}

/** A ledger transition that the record's current state does not allow. */
export class LedgerTransitionError extends X402Error {
  override readonly name = 'LedgerTransitionError';
}
