/**
 * Client role: an MCP client whose paid tool calls pay automatically under the core spending
 * policy. The core client engine does the deciding (offers a registered rail can pay, policy,
 * budget, confirmation, create, receipt); this module only carries its requests over MCP.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolRequest, CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  type PaymentRequirements,
  type ResourceInfo,
  type SettleResponse,
  SettleResponseSchema,
} from '@x402-rails/core';
import {
  createPaymentClient,
  type PaymentReceipt,
  type SchemeClient,
  type SpendingPolicy,
} from '@x402-rails/core/client';
import { PAYMENT_META_KEY, PAYMENT_RESPONSE_META_KEY, paymentRequiredOf } from './meta.js';

export type { SpendingPolicy } from '@x402-rails/core/client';
export { PaymentRefusedError } from '@x402-rails/core/client';
export {
  PAYMENT_META_KEY,
  PAYMENT_RESPONSE_META_KEY,
  paymentRequiredOf,
  toolResourceUrl,
} from './meta.js';

/** What a person is asked to approve. */
export interface PaymentConfirmation {
  tool: string;
  arguments: Record<string, unknown> | undefined;
  resource: ResourceInfo;
  requirements: PaymentRequirements;
}

export interface McpPaymentReceipt {
  resource: ResourceInfo;
  requirements: PaymentRequirements;
  /** The server's `_meta["x402/payment-response"]`, when it sent a valid one. */
  settlement?: SettleResponse;
  /** Why `settlement` is missing, unreadable or unsuccessful. */
  error?: string;
}

export interface PaidCallResult {
  result: CallToolResult;
  /** Present when the call was paid for (whether or not the payment settled). */
  receipt?: McpPaymentReceipt;
}

export interface PayingMcpClientOptions {
  /** Client roles of the rails this agent can pay with. */
  schemes: Iterable<SchemeClient>;
  /** Per-call maximum, budget, networks, assets, preference (core `SpendingPolicy`). */
  policy?: SpendingPolicy;
  /**
   * Asked before every payment that passes the policy; return false to refuse (the call then
   * throws `PaymentRefusedError` with code `policy_rejected`).
   */
  confirm?: (payment: PaymentConfirmation) => boolean | Promise<boolean>;
  /** Called after every paid call. */
  onReceipt?: (receipt: McpPaymentReceipt, tool: string) => void;
  now?: () => number;
}

export interface PayingMcpClient {
  /** Calls a tool; a payment-required answer is paid per the policy and the call retried once. */
  callTool(params: CallToolRequest['params'], options?: RequestOptions): Promise<PaidCallResult>;
  readonly client: Client;
}

interface CallContext {
  params: CallToolRequest['params'];
  options: RequestOptions | undefined;
  resource?: ResourceInfo;
  result?: CallToolResult;
}

const isPaymentSignature = (request: Request) => request.headers.has('payment-signature');

/**
 * @example
 * const paying = createPayingMcpClient(client, {
 *   schemes: [toyClient], policy: { maxPerRequest: { '*': '100000' } }, confirm: () => true,
 * });
 * const { result, receipt } = await paying.callTool({ name: 'weather', arguments: { city: 'Oslo' } });
 */
export function createPayingMcpClient(
  client: Client,
  options: PayingMcpClientOptions,
): PayingMcpClient {
  const calls = new AsyncLocalStorage<CallContext>();
  const policy: SpendingPolicy = { ...options.policy };
  const userConfirm = options.policy?.confirm;
  const { confirm } = options;
  if (confirm || userConfirm) {
    policy.confirm = async (requirements) => {
      if (userConfirm && !(await userConfirm(requirements))) return false;
      const call = calls.getStore();
      if (!confirm || !call?.resource) return true;
      return confirm({
        tool: call.params.name,
        arguments: call.params.arguments,
        resource: call.resource,
        requirements,
      });
    };
  }

  // The core engine speaks fetch; each "request" is one attempt of the current tool call.
  async function transport(input: string | URL | Request): Promise<Response> {
    const call = calls.getStore();
    if (!call || !(input instanceof Request)) throw new Error('MCP payment transport misused');
    let params = call.params;
    if (isPaymentSignature(input)) {
      const payload = decodePaymentSignatureHeader(input.headers.get('payment-signature') ?? '');
      params = { ...params, _meta: { ...params._meta, [PAYMENT_META_KEY]: payload } };
    }
    const result = (await client.callTool(params, undefined, call.options)) as CallToolResult;
    call.result = result;
    const headers: Record<string, string> = {};
    const settlement = SettleResponseSchema.safeParse(result._meta?.[PAYMENT_RESPONSE_META_KEY]);
    if (settlement.success) {
      headers['payment-response'] = encodePaymentResponseHeader(settlement.data as SettleResponse);
    }
    const required = paymentRequiredOf(result);
    if (required) {
      call.resource ??= required.resource;
      headers['payment-required'] = encodePaymentRequiredHeader(required);
      return new Response(null, { status: 402, headers });
    }
    // A tool error without a settlement means nothing was paid (4xx gives the budget back).
    return new Response(null, { status: result.isError ? 422 : 200, headers });
  }

  const engine = createPaymentClient({
    schemes: options.schemes,
    policy,
    fetch: transport as typeof fetch,
    ...(options.now ? { now: options.now } : {}),
  });

  return {
    client,
    async callTool(params, requestOptions) {
      const call: CallContext = { params, options: requestOptions };
      const response = await calls.run(call, () =>
        engine.fetch(new Request(`mcp://tool/${encodeURIComponent(params.name)}`)),
      );
      const result = call.result as CallToolResult;
      const paid = engine.receiptOf(response);
      if (!paid) return { result };
      const receipt = toReceipt(paid, result);
      options.onReceipt?.(receipt, params.name);
      return { result, receipt };
    },
  };
}

function toReceipt(paid: PaymentReceipt, result: CallToolResult): McpPaymentReceipt {
  const receipt: McpPaymentReceipt = { resource: paid.resource, requirements: paid.requirements };
  if (paid.settlement) receipt.settlement = paid.settlement;
  if (paid.settlement && !paid.settlement.success) {
    receipt.error = paid.settlement.errorMessage ?? paid.settlement.errorReason ?? 'not settled';
  } else if (!paid.settlement) {
    const refusal = paymentRequiredOf(result);
    receipt.error =
      refusal?.error ??
      (result.isError ? 'the tool failed; nothing was settled' : 'no settlement in the result');
  }
  return receipt;
}
