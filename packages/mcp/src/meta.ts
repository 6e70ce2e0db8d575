/**
 * The x402 MCP transport's wire shapes (specs/transports-v2/mcp.md): payment required as a tool
 * result with `isError`, `structuredContent` and the same JSON in `content[0].text`; the payment in
 * the request's `_meta["x402/payment"]`; the settlement in the result's `_meta["x402/payment-response"]`.
 */
import { type PaymentRequired, PaymentRequiredSchema } from '@x402-rails/core';

/** `_meta` key of the payment payload (client → server). */
export const PAYMENT_META_KEY = 'x402/payment';
/** `_meta` key of the settlement response (server → client). */
export const PAYMENT_RESPONSE_META_KEY = 'x402/payment-response';
/** `_meta` key of a refusal's stable reason code (`payment_required`, `invalid_payload`, ...). */
export const PAYMENT_ERROR_META_KEY = 'x402/error';
/** `_meta` key of a paid tool's offers in `tools/list`. */
export const ACCEPTS_META_KEY = 'x402/accepts';

/** The resource URL of a tool, as the specification's examples announce it. */
export const toolResourceUrl = (name: string): string => `mcp://tool/${encodeURIComponent(name)}`;

/** The slice of a `CallToolResult` this transport reads. */
export interface ToolResultLike {
  isError?: boolean | undefined;
  structuredContent?: Record<string, unknown> | undefined;
  content?: unknown[] | undefined;
  _meta?: Record<string, unknown> | undefined;
}

/**
 * The `PaymentRequired` a tool result carries, if any: `structuredContent` first, then the JSON in
 * `content[0].text`, as the specification tells clients to read it.
 */
export function paymentRequiredOf(result: ToolResultLike): PaymentRequired | undefined {
  if (!result.isError) return undefined;
  const structured = PaymentRequiredSchema.safeParse(result.structuredContent);
  if (structured.success) return structured.data as PaymentRequired;
  const first = result.content?.[0] as { type?: unknown; text?: unknown } | undefined;
  if (first?.type !== 'text' || typeof first.text !== 'string') return undefined;
  try {
    const parsed = PaymentRequiredSchema.safeParse(JSON.parse(first.text));
    return parsed.success ? (parsed.data as PaymentRequired) : undefined;
  } catch {
    return undefined;
  }
}
