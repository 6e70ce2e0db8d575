/**
 * x402 version 2 wire types and their runtime schemas. Field names follow
 * `specs/x402-specification-v2.md`; every value that crosses a boundary is parsed with these.
 */
import { z } from 'zod';

export const X402_VERSION = 2 as const;

/** CAIP-2 `namespace:reference` (https://chainagnostic.org CAIP-2). */
export const CAIP2_PATTERN = /^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/;
const ATOMIC_AMOUNT = /^(0|[1-9][0-9]{0,77})$/;

const boundedString = (max: number) => z.string().min(1).max(max);
const jsonObject = z.record(z.string().max(256), z.unknown());

export const NetworkSchema = z.string().regex(CAIP2_PATTERN, 'must be a CAIP-2 network id');
/** A CAIP-2 network id such as `eip155:8453` or `solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp`. */
export type Network = `${string}:${string}`;

export const AtomicAmountSchema = z
  .string()
  .regex(ATOMIC_AMOUNT, 'must be a non-negative integer in atomic units, without sign or exponent');

export const ResourceInfoSchema = z.object({
  url: boundedString(4096),
  description: z.string().max(4096).optional(),
  mimeType: z.string().max(256).optional(),
});
export interface ResourceInfo {
  url: string;
  description?: string;
  mimeType?: string;
}

export const PaymentRequirementsSchema = z
  .object({
    scheme: boundedString(64),
    network: NetworkSchema,
    amount: AtomicAmountSchema,
    asset: boundedString(256),
    payTo: boundedString(256),
    maxTimeoutSeconds: z.number().int().positive().max(31_536_000),
    // The official SDK's schema allows `extra: null`; it is read as no extra.
    extra: jsonObject.nullish(),
  })
  .transform(({ extra, ...rest }) => (extra == null ? rest : { ...rest, extra }));
export interface PaymentRequirements {
  scheme: string;
  network: Network;
  /** Amount in the asset's atomic units, as a decimal integer string. */
  amount: string;
  asset: string;
  payTo: string;
  maxTimeoutSeconds: number;
  extra?: Record<string, unknown>;
}

/** An extension entry: data from the server plus the JSON Schema of that data. */
export const ExtensionSchema = z.object({ info: jsonObject, schema: jsonObject }).loose();
export const ExtensionsSchema = z.record(z.string().max(256), z.unknown());
export type Extensions = Record<string, unknown>;

export const PaymentRequiredSchema = z.object({
  x402Version: z.literal(X402_VERSION),
  error: z.string().max(1024).optional(),
  resource: ResourceInfoSchema,
  accepts: z.array(PaymentRequirementsSchema).max(64),
  extensions: ExtensionsSchema.optional(),
});
export interface PaymentRequired {
  x402Version: 2;
  error?: string;
  resource: ResourceInfo;
  accepts: PaymentRequirements[];
  extensions?: Extensions;
}

export const PaymentPayloadSchema = z.object({
  x402Version: z.literal(X402_VERSION),
  resource: ResourceInfoSchema.optional(),
  accepted: PaymentRequirementsSchema,
  payload: jsonObject,
  extensions: ExtensionsSchema.optional(),
});
export interface PaymentPayload {
  x402Version: 2;
  resource?: ResourceInfo;
  accepted: PaymentRequirements;
  /** Scheme-specific data, validated by the rail. */
  payload: Record<string, unknown>;
  extensions?: Extensions;
}

export const VerifyResponseSchema = z.object({
  isValid: z.boolean(),
  invalidReason: z.string().max(256).optional(),
  invalidMessage: z.string().max(4096).optional(),
  payer: z.string().max(256).optional(),
  extensions: ExtensionsSchema.optional(),
});
export interface VerifyResponse {
  isValid: boolean;
  invalidReason?: string;
  invalidMessage?: string;
  payer?: string;
  extensions?: Extensions;
}

export const SettleResponseSchema = z
  .object({
    success: z.boolean(),
    errorReason: z.string().max(256).optional(),
    errorMessage: z.string().max(4096).optional(),
    payer: z.string().max(256).optional(),
    transaction: z.string().max(1024),
    network: NetworkSchema,
    amount: AtomicAmountSchema.optional(),
    extensions: ExtensionsSchema.optional(),
    // Scheme-specific settle state (batch-settlement: chargedAmount, channelState, voucherState).
    // The official SDK's schema allows `extra: null`; it is read as no extra.
    extra: jsonObject.nullish(),
  })
  .transform(({ extra, ...rest }) => (extra == null ? rest : { ...rest, extra }));
export interface SettleResponse {
  success: boolean;
  errorReason?: string;
  errorMessage?: string;
  payer?: string;
  /** Transaction or settlement id on the rail; empty when settlement failed. */
  transaction: string;
  network: Network;
  amount?: string;
  extensions?: Extensions;
  /**
   * Scheme-specific state of the settlement, e.g. batch-settlement's `{ chargedAmount,
   * channelState, voucherState }`. Untrusted on the client: a rail checks what it reads.
   */
  extra?: Record<string, unknown>;
}

/** Body of `POST /verify` and `POST /settle`. */
export const FacilitatorRequestSchema = z.object({
  x402Version: z.literal(X402_VERSION),
  paymentPayload: PaymentPayloadSchema,
  paymentRequirements: PaymentRequirementsSchema,
});
export interface FacilitatorRequest {
  x402Version: 2;
  paymentPayload: PaymentPayload;
  paymentRequirements: PaymentRequirements;
}

export const SupportedKindSchema = z.object({
  x402Version: z.number().int(),
  scheme: boundedString(64),
  network: NetworkSchema,
  extra: jsonObject.optional(),
});
export interface SupportedKind {
  x402Version: number;
  scheme: string;
  network: Network;
  extra?: Record<string, unknown>;
}

export const SupportedResponseSchema = z.object({
  kinds: z.array(SupportedKindSchema).max(1024),
  extensions: z.array(z.string().max(256)).max(256),
  signers: z.record(z.string().max(64), z.array(z.string().max(256)).max(256)),
});
export interface SupportedResponse {
  kinds: SupportedKind[];
  extensions: string[];
  /** CAIP-2 pattern (e.g. `eip155:*`) to the facilitator's signer addresses. */
  signers: Record<string, string[]>;
}

/** Formats the first schema issue as `path: message`, for error details. */
export function describeSchemaIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `${path}: ${issue.message}`;
}
