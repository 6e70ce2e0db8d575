/**
 * A facilitator reached over HTTP (`/verify`, `/settle`, `/supported`, and our `/release`).
 * Verify and supported fail over to the next URL; settle never does, because a second
 * facilitator could settle the same payment again.
 */
import type { z } from 'zod';
import { FacilitatorError } from '../errors.js';
import type { FacilitatorCallOptions, FacilitatorClient } from '../facilitator-client.js';
import {
  describeSchemaIssue,
  type PaymentPayload,
  type PaymentRequirements,
  type SettleResponse,
  SettleResponseSchema,
  type SupportedResponse,
  SupportedResponseSchema,
  type VerifyResponse,
  VerifyResponseSchema,
} from '../schemas.js';

export type FacilitatorOperation = 'verify' | 'settle' | 'release' | 'supported';

export interface HttpFacilitatorClientOptions {
  /** Base URL, e.g. `https://facilitator.example.com`; `/verify` etc. are appended. */
  url: string;
  /** Tried in order when `url` fails for verify or supported (never for settle). */
  fallbackUrls?: readonly string[];
  /** Headers per call, e.g. a fresh bearer token: `(op) => ({ authorization: 'Bearer ...' })`. */
  headers?: (
    operation: FacilitatorOperation,
  ) => Record<string, string> | Promise<Record<string, string>>;
  /** Per-call timeout in ms (default: verify 10 s, settle 60 s, supported 10 s, release 30 s). */
  timeoutMs?: Partial<Record<FacilitatorOperation, number>>;
  /** How long a `/supported` answer is reused, in ms (default 5 minutes; 0 disables). */
  supportedTtlMs?: number;
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUTS: Record<FacilitatorOperation, number> = {
  verify: 10_000,
  settle: 60_000,
  supported: 10_000,
  release: 30_000,
};
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Aborts after `ms` or when `outer` aborts (AbortSignal.any needs Node 20.3; engines say 20). */
function timeoutSignal(ms: number, outer?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  if (!outer) return timeout;
  const controller = new AbortController();
  const abort = (source: AbortSignal) => () => controller.abort(source.reason);
  if (outer.aborted) controller.abort(outer.reason);
  outer.addEventListener('abort', abort(outer), { once: true });
  timeout.addEventListener('abort', abort(timeout), { once: true });
  return controller.signal;
}

/**
 * @example
 * const facilitator = createHttpFacilitatorClient({
 *   url: 'https://facilitator.example.com',
 *   headers: () => ({ authorization: `Bearer ${process.env.FACILITATOR_TOKEN}` }),
 * });
 */
export function createHttpFacilitatorClient(
  options: HttpFacilitatorClientOptions,
): FacilitatorClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const urls = [options.url, ...(options.fallbackUrls ?? [])].map((u) => {
    try {
      return new URL(u).toString().replace(/\/+$/, '');
    } catch (cause) {
      throw new FacilitatorError('invalid_config', {
        message: `Facilitator URL is not a URL: ${u}`,
        cause,
      });
    }
  });
  const supportedTtl = options.supportedTtlMs ?? 5 * 60_000;
  let supportedCache: { at: number; value: SupportedResponse } | undefined;

  async function call<T>(
    operation: FacilitatorOperation,
    base: string,
    init: { method: 'GET' | 'POST'; body?: unknown },
    schema: z.ZodType<T> | undefined,
    outer?: AbortSignal,
  ): Promise<T | undefined> {
    const timeout = options.timeoutMs?.[operation] ?? DEFAULT_TIMEOUTS[operation];
    const signal = timeoutSignal(timeout, outer);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(await options.headers?.(operation)),
    };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${base}/${operation}`, {
        method: init.method,
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal,
      });
    } catch (cause) {
      throw new FacilitatorError('facilitator_unavailable', {
        message: `Facilitator ${operation} at ${base} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        details: { operation, url: base },
        cause,
      });
    }
    const text = await response.text();
    if (
      response.status >= 500 ||
      response.status === 401 ||
      response.status === 403 ||
      response.status === 404 ||
      response.status === 429
    ) {
      throw new FacilitatorError('facilitator_unavailable', {
        message: `Facilitator ${operation} at ${base} answered HTTP ${response.status}`,
        details: { operation, url: base, status: response.status, body: text.slice(0, 500) },
      });
    }
    if (!schema) return undefined;
    if (text.length > MAX_RESPONSE_BYTES) {
      throw new FacilitatorError('invalid_facilitator_response', {
        message: `Facilitator ${operation} response too large`,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new FacilitatorError('invalid_facilitator_response', {
        message: `Facilitator ${operation} at ${base} answered HTTP ${response.status} with non-JSON`,
        details: { operation, url: base, status: response.status },
        cause,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new FacilitatorError('invalid_facilitator_response', {
        message: `Facilitator ${operation} at ${base}: ${describeSchemaIssue(parsed.error)}`,
        details: { operation, url: base, status: response.status },
      });
    }
    return parsed.data;
  }

  /** Tries each URL in turn; only an unavailable facilitator moves on to the next. */
  async function withFailover<T>(run: (base: string) => Promise<T>): Promise<T> {
    let last: unknown;
    for (const base of urls) {
      try {
        return await run(base);
      } catch (error) {
        last = error;
        if (!(error instanceof FacilitatorError) || error.code !== 'facilitator_unavailable')
          throw error;
      }
    }
    throw last;
  }

  const body = (payload: PaymentPayload, requirements: PaymentRequirements) => ({
    x402Version: 2,
    paymentPayload: payload,
    paymentRequirements: requirements,
  });

  return {
    verify(payload, requirements, opts?: FacilitatorCallOptions) {
      return withFailover(async (base) => {
        const result = await call(
          'verify',
          base,
          { method: 'POST', body: body(payload, requirements) },
          VerifyResponseSchema,
          opts?.signal,
        );
        return result as VerifyResponse;
      });
    },
    async settle(payload, requirements, opts?: FacilitatorCallOptions) {
      const base = urls[0] as string;
      const result = await call(
        'settle',
        base,
        { method: 'POST', body: body(payload, requirements) },
        SettleResponseSchema,
        opts?.signal,
      );
      return result as SettleResponse;
    },
    async release(payload, requirements, opts?: FacilitatorCallOptions) {
      await call(
        'release',
        urls[0] as string,
        { method: 'POST', body: body(payload, requirements) },
        undefined,
        opts?.signal,
      );
    },
    async supported(opts?: FacilitatorCallOptions) {
      if (supportedCache && Date.now() - supportedCache.at < supportedTtl)
        return supportedCache.value;
      const value = await withFailover(async (base) => {
        const result = await call(
          'supported',
          base,
          { method: 'GET' },
          SupportedResponseSchema,
          opts?.signal,
        );
        return result as SupportedResponse;
      });
      supportedCache = { at: Date.now(), value };
      return value;
    },
  };
}
