/**
 * Server role: paid MCP tools. One payment serves one tool call, with the same guarantees as the
 * HTTP resource server: match the offer → claim the payment id in the ledger → verify → run the
 * tool → settle only when it succeeded, release otherwise.
 */
import type {
  McpServer,
  RegisteredTool,
  ToolCallback,
} from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  type AnySchema,
  normalizeObjectSchema,
  safeParseAsync,
  type ZodRawShapeCompat,
} from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  describeReason,
  describeSchemaIssue,
  type FacilitatorClient,
  type PaymentLedger,
  type PaymentPayload,
  PaymentPayloadSchema,
  type PaymentRequired,
  SchemeRegistry,
} from '@x402-rails/core';
import {
  createPaymentLifecycle,
  createResourceServer,
  type PaymentEvent,
  type ResolvedOffer,
  type RouteAccept,
  type SchemeServer,
} from '@x402-rails/core/server';
import {
  ACCEPTS_META_KEY,
  PAYMENT_ERROR_META_KEY,
  PAYMENT_META_KEY,
  PAYMENT_RESPONSE_META_KEY,
  toolResourceUrl,
} from './meta.js';

export type { PaymentEvent } from '@x402-rails/core/server';
export {
  ACCEPTS_META_KEY,
  PAYMENT_ERROR_META_KEY,
  PAYMENT_META_KEY,
  PAYMENT_RESPONSE_META_KEY,
  toolResourceUrl,
} from './meta.js';

export interface McpPaymentsOptions {
  facilitator: FacilitatorClient;
  /** The server roles of the rails this server offers. */
  schemes: Iterable<SchemeServer>;
  /** Where payment ids are claimed (default: in memory; use `@x402-rails/store` across instances). */
  ledger?: PaymentLedger;
  /** Cap on the JSON size of `_meta["x402/payment"]` (default 16 KiB). */
  maxPaymentBytes?: number;
  /** Called on every payment state change, synchronously; must not throw. */
  onEvent?: (event: PaymentEvent) => void;
}

/** How a tool is paid for: the route payment config of the HTTP engine, minus what MCP fixes. */
export interface ToolPayment {
  /** The rails this tool accepts, in the order clients should prefer them. */
  accepts: RouteAccept | readonly RouteAccept[];
  /** Default 60. */
  maxTimeoutSeconds?: number;
  mimeType?: string;
}

export interface PaidToolConfig<
  InputArgs extends undefined | ZodRawShapeCompat | AnySchema,
  OutputArgs extends ZodRawShapeCompat | AnySchema,
> {
  title?: string;
  description?: string;
  inputSchema?: InputArgs;
  outputSchema?: OutputArgs;
  annotations?: Parameters<McpServer['registerTool']>[1]['annotations'];
  _meta?: Record<string, unknown>;
  payment: ToolPayment;
}

export interface McpPayments {
  /**
   * Registers a paid tool on `server`. Its `tools/list` entry carries the offers in
   * `_meta["x402/accepts"]` and the price at the end of its description.
   */
  paidTool<
    InputArgs extends undefined | ZodRawShapeCompat | AnySchema = undefined,
    OutputArgs extends ZodRawShapeCompat | AnySchema = ZodRawShapeCompat,
  >(
    server: McpServer,
    name: string,
    config: PaidToolConfig<InputArgs, OutputArgs>,
    handler: ToolCallback<InputArgs>,
  ): Promise<RegisteredTool>;
  /** Settles the fate of calls a crash interrupted (see `ResourceServer.recover`). */
  recover(options?: { olderThanMs?: number; limit?: number; now?: number }): Promise<{
    released: number;
    failed: number;
  }>;
  readonly ledger: PaymentLedger;
}

type Extra = { _meta?: Record<string, unknown> };

/**
 * @example
 * const payments = createMcpPayments({ facilitator, schemes: [toy.server] });
 * await payments.paidTool(server, 'weather', {
 *   description: 'Weather of a city', inputSchema: { city: z.string() },
 *   payment: { accepts: { scheme: 'exact', network: 'toy:local', price: '$0.01', payTo } },
 * }, async ({ city }) => ({ content: [{ type: 'text', text: `${city}: sunny` }] }));
 */
export function createMcpPayments(options: McpPaymentsOptions): McpPayments {
  const registry = new SchemeRegistry<SchemeServer>(options.schemes);
  const emit = options.onEvent ?? (() => {});
  // The HTTP engine builds and caches the offers and owns the ledger and its recovery; the
  // lifecycle below is its transport-neutral part, speaking tool results instead of responses.
  const engine = createResourceServer({
    facilitator: options.facilitator,
    schemes: registry,
    onEvent: emit,
    ...(options.ledger ? { ledger: options.ledger } : {}),
  });
  const ledger = engine.ledger;
  const lifecycle = createPaymentLifecycle({ facilitator: options.facilitator, ledger, emit });
  const maxPaymentBytes = options.maxPaymentBytes ?? 16 * 1024;

  function refusal(
    required: PaymentRequired,
    reason: string,
    message: string = describeReason(reason).message,
    meta: Record<string, unknown> = {},
  ): CallToolResult {
    if (reason !== 'payment_required') {
      emit({
        type: 'rejected',
        resource: required.resource.url,
        reason,
        status: describeReason(reason).status,
      });
    }
    const body: PaymentRequired = { ...required, error: message };
    return {
      isError: true,
      structuredContent: body as unknown as Record<string, unknown>,
      content: [{ type: 'text', text: JSON.stringify(body) }],
      _meta: { [PAYMENT_ERROR_META_KEY]: reason, ...meta },
    };
  }

  async function paidCall(
    name: string,
    payment: ToolPayment,
    outputSchema: ZodRawShapeCompat | AnySchema | undefined,
    params: unknown[],
    run: (...params: unknown[]) => CallToolResult | Promise<CallToolResult>,
  ): Promise<CallToolResult> {
    const url = toolResourceUrl(name);
    const route = { ...payment, resource: url };
    const request = new Request(url);
    const base = await engine.paymentRequired(request, route);
    const offers: ResolvedOffer[] = base.accepts.map((requirements) => ({
      requirements,
      rail: registry.resolve(requirements.scheme, requirements.network) as SchemeServer,
    }));
    const extra = params[params.length - 1] as Extra | undefined;
    const raw = extra?._meta?.[PAYMENT_META_KEY];
    if (raw === undefined) {
      emit({ type: 'payment_required', resource: url });
      return refusal(base, 'payment_required', 'Payment required to access this resource');
    }

    const size = JSON.stringify(raw)?.length ?? 0;
    if (size > maxPaymentBytes) {
      return refusal(
        base,
        'invalid_payload',
        `_meta["${PAYMENT_META_KEY}"] is ${size} bytes, over the ${maxPaymentBytes}-byte limit`,
      );
    }
    const parsed = PaymentPayloadSchema.safeParse(raw);
    if (!parsed.success) {
      return refusal(
        base,
        'invalid_payload',
        `_meta["${PAYMENT_META_KEY}"] is not a valid x402 v2 PaymentPayload: ${describeSchemaIssue(parsed.error)}`,
      );
    }
    const payload = parsed.data as PaymentPayload;

    const admission = await lifecycle.admit(payload, offers, url);
    if (!admission.ok) return refusal(base, admission.reason, admission.message);
    const { payment: admitted } = admission;

    let result: CallToolResult;
    try {
      result = await run(...params);
    } catch (error) {
      await lifecycle.release(admitted, 'tool_threw');
      throw error; // the MCP server turns it into an `isError` tool result
    }
    if (result.isError) {
      await lifecycle.release(admitted, 'tool_error');
      return result;
    }
    // The MCP server checks the output schema after we return; a result it would reject must not
    // be paid for, so the check happens here, before settling.
    const outputProblem = await checkOutput(outputSchema, result);
    if (outputProblem) {
      await lifecycle.release(admitted, 'tool_output_invalid');
      return { isError: true, content: [{ type: 'text', text: outputProblem }] };
    }

    const outcome = await lifecycle.settle(admitted);
    if (!outcome.ok) {
      // The tool's content is withheld: only the payment error goes back.
      return refusal(base, outcome.reason, outcome.message ?? 'Settlement failed', {
        [PAYMENT_RESPONSE_META_KEY]: outcome.settlement,
      });
    }
    return {
      ...result,
      _meta: { ...result._meta, [PAYMENT_RESPONSE_META_KEY]: outcome.settlement },
    };
  }

  return {
    ledger,
    recover: (recovery) => engine.recover(recovery),
    async paidTool(server, name, config, handler) {
      const { payment, _meta, description, ...rest } = config;
      const url = toolResourceUrl(name);
      // Built once here, so a misconfigured price fails at registration, not at the first call.
      const required = await engine.paymentRequired(new Request(url), {
        ...payment,
        resource: url,
      });
      const price = required.accepts.map((req) => describeOffer(registry, req)).join(' or ');
      const run = handler as (...params: unknown[]) => CallToolResult | Promise<CallToolResult>;
      const callback = ((...params: unknown[]) =>
        paidCall(name, payment, config.outputSchema, params, run)) as ToolCallback<
        typeof config.inputSchema
      >;
      return server.registerTool(
        name,
        {
          ...rest,
          description: `${description ? `${description} ` : ''}(paid tool: ${price} per call, x402)`,
          _meta: { ..._meta, [ACCEPTS_META_KEY]: required.accepts },
        },
        callback as never,
      );
    },
  };
}

function describeOffer(
  registry: SchemeRegistry<SchemeServer>,
  req: PaymentRequired['accepts'][number],
): string {
  const shown = registry.resolve(req.scheme, req.network)?.describe?.(req);
  return shown
    ? `${shown.amount} ${shown.symbol} on ${shown.networkName}`
    : `${req.amount} atomic units of ${req.asset} on ${req.network}`;
}

async function checkOutput(
  schema: ZodRawShapeCompat | AnySchema | undefined,
  result: CallToolResult,
): Promise<string | undefined> {
  if (!schema) return undefined;
  if (!result.structuredContent)
    return 'The tool has an output schema but returned no structured content';
  const object = normalizeObjectSchema(schema);
  if (!object) return undefined;
  const parsed = await safeParseAsync(object, result.structuredContent);
  return parsed.success
    ? undefined
    : 'The tool returned structured content that fails its output schema';
}
