import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * A small JSON-RPC client for the facilitator: every read of one verify goes out as one JSON-RPC
 * batch (one HTTP round trip), and batches requested in the same tick by concurrent verifies are
 * merged into one request.
 */

export interface RpcRequest {
  method: string;
  params: readonly unknown[];
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export type RpcResult = { ok: true; value: unknown } | { ok: false; error: RpcErrorObject };

export interface EvmRpc {
  /** Sends the requests together; resolves with one result per request, in order. */
  batch(requests: readonly RpcRequest[]): Promise<RpcResult[]>;
  /** One request; throws `RpcError` on a JSON-RPC error. */
  request<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
}

/** A JSON-RPC error answer (`code`, `message`, `data`: for reverts, the revert data). */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  readonly code: number;
  readonly data: unknown;
  constructor(error: RpcErrorObject, method: string) {
    super(`${method}: ${error.message}`);
    this.code = error.code;
    this.data = error.data;
  }
}

export interface HttpRpcOptions {
  url: string;
  /**
   * A fetch to send requests with. By default requests go through node:http(s) with keep-alive
   * connections, which costs a fraction of fetch's overhead per round trip.
   */
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  /** Per HTTP request (default 15 s). */
  timeoutMs?: number;
  /** Send several requests as one JSON-RPC batch (default true); false sends them in parallel. */
  batch?: boolean;
  /** Most requests in one HTTP body (default 100). */
  maxBatchSize?: number;
  /**
   * Resends after a connection failure (not after a timeout), default 2. Safe: every method the
   * rail uses is a read or `eth_sendRawTransaction`, which the node dedupes by hash. A reused
   * keep-alive connection the node just closed fails this way now and then.
   */
  retries?: number;
}

interface Pending {
  request: RpcRequest;
  resolve(result: RpcResult): void;
  reject(error: unknown): void;
}

/**
 * @example
 * const rpc = createHttpRpc({ url: 'https://mainnet.base.org' });
 * const [code, block] = await rpc.batch([
 *   { method: 'eth_getCode', params: [token, 'latest'] },
 *   { method: 'eth_blockNumber', params: [] },
 * ]);
 */
export function createHttpRpc(options: HttpRpcOptions): EvmRpc {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBatch = options.maxBatchSize ?? 100;
  const useBatch = options.batch ?? true;
  let nextId = 1;
  let queue: Pending[] = [];
  let scheduled = false;

  const retries = options.retries ?? 2;

  const send1 = options.fetch ? viaFetch(options.fetch) : viaNodeHttp(options.url);

  async function post(body: unknown): Promise<unknown> {
    const text = JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      let answer: { status: number; body: string };
      try {
        answer = await send1(text);
      } catch (error) {
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        if (timedOut || attempt >= retries) throw error;
        continue;
      }
      if (answer.status < 200 || answer.status >= 300)
        throw new Error(`RPC HTTP ${answer.status} from ${options.url}`);
      return JSON.parse(answer.body);
    }
  }

  function viaFetch(doFetch: typeof fetch) {
    return async (text: string) => {
      const response = await doFetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: text,
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: response.status, body: await response.text() };
    };
  }

  function viaNodeHttp(url: string) {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const agent = secure
      ? new HttpsAgent({ keepAlive: true, maxSockets: 64 })
      : new HttpAgent({ keepAlive: true, maxSockets: 64 });
    const request = secure ? httpsRequest : httpRequest;
    return (text: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          target,
          {
            method: 'POST',
            agent,
            timeout: timeoutMs,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(text),
              ...options.headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('timeout', () => {
          const error = new Error(`RPC request to ${url} timed out after ${timeoutMs} ms`);
          error.name = 'TimeoutError';
          req.destroy(error);
        });
        req.on('error', reject);
        req.end(text);
      });
  }

  async function send(items: Pending[]): Promise<void> {
    const ids = items.map(() => nextId++);
    const bodies = items.map((item, i) => ({
      jsonrpc: '2.0',
      id: ids[i],
      method: item.request.method,
      params: item.request.params,
    }));
    try {
      const answer = await post(bodies.length === 1 ? bodies[0] : bodies);
      const list = Array.isArray(answer) ? answer : [answer];
      const byId = new Map<unknown, { result?: unknown; error?: RpcErrorObject }>();
      for (const entry of list as { id: unknown; result?: unknown; error?: RpcErrorObject }[])
        byId.set(entry?.id, entry);
      items.forEach((item, i) => {
        const entry = byId.get(ids[i]);
        if (!entry) item.reject(new Error(`RPC answer without id ${ids[i]}`));
        else if (entry.error) item.resolve({ ok: false, error: entry.error });
        else item.resolve({ ok: true, value: entry.result });
      });
    } catch (error) {
      for (const item of items) item.reject(error);
    }
  }

  function flush() {
    scheduled = false;
    const items = queue;
    queue = [];
    if (!useBatch) {
      for (const item of items) void send([item]);
      return;
    }
    for (let i = 0; i < items.length; i += maxBatch) void send(items.slice(i, i + maxBatch));
  }

  function enqueue(request: RpcRequest): Promise<RpcResult> {
    return new Promise((resolve, reject) => {
      queue.push({ request, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    });
  }

  return {
    batch: (requests) => Promise.all(requests.map(enqueue)),
    async request<T>(method: string, params: readonly unknown[] = []) {
      const result = await enqueue({ method, params });
      if (!result.ok) throw new RpcError(result.error, method);
      return result.value as T;
    },
  };
}

/** The value of a result, or throws its error. */
export function unwrap<T>(result: RpcResult | undefined, method: string): T {
  if (!result) throw new Error(`${method}: no result`);
  if (!result.ok) throw new RpcError(result.error, method);
  return result.value as T;
}
