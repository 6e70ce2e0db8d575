/**
 * Header codec for `PAYMENT-REQUIRED`, `PAYMENT-SIGNATURE` and `PAYMENT-RESPONSE`:
 * base64 of UTF-8 JSON. Decoding is bounded: size first, then base64, JSON and schema.
 */
import type { z } from 'zod';
import { PayloadDecodeError } from './errors.js';
import {
  describeSchemaIssue,
  type PaymentPayload,
  PaymentPayloadSchema,
  type PaymentRequired,
  PaymentRequiredSchema,
  type SettleResponse,
  SettleResponseSchema,
} from './schemas.js';

export const HEADERS = {
  paymentRequired: 'PAYMENT-REQUIRED',
  paymentSignature: 'PAYMENT-SIGNATURE',
  paymentResponse: 'PAYMENT-RESPONSE',
  /** x402 version 1 request header (see `codec-v1.ts`). */
  legacyPayment: 'X-PAYMENT',
} as const;

/** Default cap on an encoded header, checked before any decoding work. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

export interface DecodeOptions {
  /** Largest accepted encoded header, in bytes (characters: base64 is ASCII). */
  maxBytes?: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL_ONLY = /[-_]/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Standard base64 of the UTF-8 JSON of a value. */
export function encodeBase64Json(value: unknown): string {
  const bytes = utf8Encoder.encode(JSON.stringify(value));
  return bytesToBase64(bytes);
}

function bytesToBase64(bytes: Uint8Array): string {
  if (typeof Buffer !== 'undefined') return Buffer.from(bytes).toString('base64');
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Strict standard base64: length a multiple of 4, only the standard alphabet, padding at the end.
 * Node's decoder skips characters outside the alphabet, so a decoded length shorter than the
 * input implies is exactly an invalid character; base64url's `-`/`_`, which it accepts, are
 * refused separately. This is several times faster than a regular expression over the header.
 */
function strictBase64ToBytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  if (typeof Buffer === 'undefined') return BASE64.test(text) ? base64ToBytes(text) : undefined;
  if (BASE64URL_ONLY.test(text)) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : undefined;
}

function base64ToBytes(text: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return Buffer.from(text, 'base64');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function fail(what: string, message: string, details: Record<string, unknown> = {}): never {
  throw new PayloadDecodeError('invalid_payload', {
    message: `${what}: ${message}`,
    details: { header: what, ...details },
  });
}

/**
 * Decodes base64 JSON and validates it against a schema.
 * Throws `PayloadDecodeError` (code `invalid_payload`, or `invalid_x402_version`) on anything else.
 */
export function decodeBase64Json<T>(
  what: string,
  value: string,
  schema: z.ZodType<T>,
  options: DecodeOptions = {},
): T {
  return decodeVersionedBase64Json(what, value, schema, 2, options);
}

/**
 * `decodeBase64Json` for a given protocol version: a JSON object whose `x402Version` is another
 * version is refused with `invalid_x402_version` before the schema runs.
 */
export function decodeVersionedBase64Json<T>(
  what: string,
  value: string,
  schema: z.ZodType<T>,
  version: 1 | 2,
  options: DecodeOptions = {},
): T {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (value.length > maxBytes) fail(what, `larger than ${maxBytes} bytes`, { size: value.length });
  const trimmed = value.trim();
  if (trimmed.length === 0) fail(what, 'empty');
  const bytes = strictBase64ToBytes(trimmed);
  if (bytes === undefined) fail(what, 'not standard base64');
  let json: unknown;
  try {
    json = JSON.parse(utf8Decoder.decode(bytes));
  } catch (cause) {
    throw new PayloadDecodeError('invalid_payload', {
      message: `${what}: not UTF-8 JSON`,
      details: { header: what },
      cause,
    });
  }
  if (typeof json === 'object' && json !== null && 'x402Version' in json) {
    const sent = (json as { x402Version: unknown }).x402Version;
    if (sent !== version) {
      throw new PayloadDecodeError('invalid_x402_version', {
        message: `${what}: x402Version ${JSON.stringify(sent)} is not supported here; send version ${version}`,
        details: { header: what, x402Version: sent },
      });
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) fail(what, describeSchemaIssue(parsed.error));
  return parsed.data;
}

export function encodePaymentRequiredHeader(value: PaymentRequired): string {
  return encodeBase64Json(value);
}
export function decodePaymentRequiredHeader(
  value: string,
  options?: DecodeOptions,
): PaymentRequired {
  return decodeBase64Json(
    HEADERS.paymentRequired,
    value,
    PaymentRequiredSchema,
    options,
  ) as PaymentRequired;
}
export function encodePaymentSignatureHeader(value: PaymentPayload): string {
  return encodeBase64Json(value);
}
export function decodePaymentSignatureHeader(
  value: string,
  options?: DecodeOptions,
): PaymentPayload {
  return decodeBase64Json(
    HEADERS.paymentSignature,
    value,
    PaymentPayloadSchema,
    options,
  ) as PaymentPayload;
}
export function encodePaymentResponseHeader(value: SettleResponse): string {
  return encodeBase64Json(value);
}
export function decodePaymentResponseHeader(
  value: string,
  options?: DecodeOptions,
): SettleResponse {
  return decodeBase64Json(
    HEADERS.paymentResponse,
    value,
    SettleResponseSchema,
    options,
  ) as SettleResponse;
}
