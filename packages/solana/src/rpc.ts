/**
 * A small Solana JSON-RPC client over fetch, with batches: verify gathers its chain reads (the
 * destination account, the simulation, the signature's status) in one HTTP round trip. Every
 * answer is untrusted and checked where it is used.
 */
import { X402Error } from '@x402-rails/core';

export interface RpcCall {
  method: string;
  params: unknown[];
}

export type RpcResult<T = unknown> = { ok: true; value: T } | { ok: false; error: RpcError };

export interface SolanaRpc {
  request<T>(method: string, params: unknown[]): Promise<T>;
  /** Several calls in one round trip; each answered on its own. */
  batch(calls: readonly RpcCall[]): Promise<RpcResult[]>;
}

export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export interface HttpRpcOptions {
  fetch?: typeof fetch;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

interface Envelope {
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
}

function resultOf(envelope: Envelope | undefined): RpcResult {
  if (!envelope || typeof envelope !== 'object')
    return { ok: false, error: new RpcError(-32603, 'Missing JSON-RPC answer') };
  if (envelope.error && typeof envelope.error === 'object') {
    const { code, message, data } = envelope.error;
    return {
      ok: false,
      error: new RpcError(
        typeof code === 'number' ? code : -32603,
        typeof message === 'string' ? message : 'JSON-RPC error',
        data,
      ),
    };
  }
  if (!('result' in envelope))
    return { ok: false, error: new RpcError(-32603, 'JSON-RPC answer without result') };
  return { ok: true, value: envelope.result };
}

/**
 * @example
 * const rpc = createHttpRpc('https://api.devnet.solana.com');
 * const slot = await rpc.request<number>('getSlot', []);
 */
export function createHttpRpc(url: string, options: HttpRpcOptions = {}): SolanaRpc {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let nextId = 1;

  async function post(body: unknown): Promise<unknown> {
    const response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok)
      throw new X402Error('facilitator_unavailable', {
        message: `Solana RPC answered HTTP ${response.status}`,
      });
    return response.json();
  }

  return {
    async request<T>(method: string, params: unknown[]): Promise<T> {
      const answer = resultOf(
        (await post({ jsonrpc: '2.0', id: nextId++, method, params })) as Envelope,
      );
      if (!answer.ok) throw answer.error;
      return answer.value as T;
    },
    async batch(calls) {
      if (calls.length === 0) return [];
      const first = nextId;
      nextId += calls.length;
      const body = calls.map((c, i) => ({
        jsonrpc: '2.0',
        id: first + i,
        method: c.method,
        params: c.params,
      }));
      const answer = await post(body);
      const list = Array.isArray(answer) ? (answer as Envelope[]) : [];
      const byId = new Map(list.map((e) => [e?.id, e]));
      return calls.map((_, i) => resultOf(byId.get(first + i)));
    },
  };
}
