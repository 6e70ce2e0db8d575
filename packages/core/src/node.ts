/**
 * `@x402-rails/core/node` — node:http ⇄ Fetch, for Node servers and adapters (the rest of core is
 * Web-standard): an IncomingMessage becomes a Web `Request` (body streamed, not buffered), a Web
 * `Response` is streamed back into the ServerResponse, `holdResponse` turns what a node handler
 * writes into a Web `Response` without sending it, and `serveFetch` runs a Fetch handler on a
 * node:http server.
 */
import { once } from 'node:events';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface FetchServer {
  /** Origin the server is bound to, e.g. `http://127.0.0.1:53117`. */
  readonly url: string;
  /** Stops accepting connections and resolves once every connection has closed. */
  close(): Promise<void>;
}

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** How long in-flight requests may take to finish on close before their sockets are cut. */
  closeGraceMs?: number;
  /** Told about a handler that threw (the client gets a bare 500). */
  onError?: (error: unknown, request: Request) => void;
}

export interface ToWebRequestOptions {
  /**
   * `false` leaves the node body stream untouched (the Web `Request` gets none), for middleware
   * that must decide before the framework's own handler reads the body (Express, Fastify).
   */
  body?: boolean;
  /** The request target to use instead of `incoming.url` (Express's `originalUrl` under a mounted router). */
  target?: string;
}

/** The request target on our own origin: a path stays a path, an absolute-form target keeps only its path. */
function urlOf(target: string, origin: string): URL {
  // new URL('//evil/x', origin) would read "evil" as the host; concatenating keeps "//evil/x" a path.
  if (target.startsWith('/')) return new URL(origin + target);
  const parsed = URL.canParse(target) ? new URL(target) : new URL('/', origin);
  return new URL(origin + parsed.pathname + parsed.search);
}

/** Converts a node request; `origin` is the server's own, so a forged Host header cannot change URLs. */
export function toWebRequest(
  incoming: IncomingMessage,
  origin: string,
  signal?: AbortSignal,
  options: ToWebRequestOptions = {},
): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headersDistinct)) {
    for (const item of value ?? []) headers.append(name, item);
  }
  const method = incoming.method ?? 'GET';
  const hasBody = options.body !== false && method !== 'GET' && method !== 'HEAD';
  // `duplex: 'half'` is required by undici for a streamed body but missing from the DOM typings.
  const init: RequestInit & { duplex?: 'half' } = {
    method,
    headers,
    ...(signal ? { signal } : {}),
    ...(hasBody
      ? { body: Readable.toWeb(incoming) as ReadableStream<Uint8Array>, duplex: 'half' }
      : {}),
  };
  return new Request(urlOf(options.target ?? incoming.url ?? '/', origin), init);
}

const NO_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Outgoing headers as node and node frameworks keep them. */
export type NodeHeaders = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** Web `Headers` from node's outgoing headers (`res.getHeaders()`, Fastify's `reply.getHeaders()`). */
export function webHeaders(headers: NodeHeaders): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) result.append(name, String(item));
    }
  }
  return result;
}

/** A Web `Response` from what a node framework produced; statuses that carry no body get none. */
export function toWebResponse(
  status: number,
  headers: NodeHeaders,
  body: Uint8Array | ReadableStream<Uint8Array> | null,
): Response {
  // A node Buffer is a Uint8Array over an ArrayBufferLike, which the DOM typings do not take as a body.
  return new Response(NO_BODY_STATUSES.has(status) ? null : (body as BodyInit | null), {
    status,
    headers: webHeaders(headers),
  });
}

export interface HeldResponse {
  /** Resolves when the handler ends its response; rejects if the client went away first. */
  readonly response: Promise<Response>;
  /** Gives the ServerResponse its own methods back. */
  restore(): void;
}

function chunkOf(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return Buffer.from(chunk as Uint8Array);
}

/**
 * Holds back what a node handler (Express, Connect) writes: `write`, `end`, `writeHead` and
 * `flushHeaders` are taken over until the handler ends its response, and what it wrote becomes
 * one Web `Response`. Nothing reaches the socket; the caller writes whatever it decides to send.
 */
export function holdResponse(
  outgoing: ServerResponse,
  options: { head?: boolean } = {},
): HeldResponse {
  const res = outgoing;
  const original = {
    write: res.write,
    end: res.end,
    writeHead: res.writeHead,
    flushHeaders: res.flushHeaders,
  };
  const chunks: Buffer[] = [];
  let settle: { resolve(r: Response): void; reject(e: Error): void } | undefined;
  const response = new Promise<Response>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const callLater = (args: unknown[]) => {
    const callback = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (callback) queueMicrotask(callback);
  };
  const onClose = () => settle?.reject(new Error('The client closed the connection'));
  res.once('close', onClose);

  res.writeHead = ((status: number, ...rest: unknown[]) => {
    res.statusCode = status;
    const headers = typeof rest[0] === 'string' ? rest[1] : rest[0];
    if (Array.isArray(headers)) {
      // writeHead's flat [name, value, name, value] form.
      for (let i = 0; i + 1 < headers.length; i += 2)
        res.setHeader(String(headers[i]), headers[i + 1]);
    } else if (headers && typeof headers === 'object') {
      for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
        if (value !== undefined) res.setHeader(name, value);
      }
    }
    return res;
  }) as ServerResponse['writeHead'];
  res.flushHeaders = () => {};
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    const buffer = chunkOf(chunk, rest[0]);
    if (buffer) chunks.push(buffer);
    callLater(rest);
    return true;
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    const buffer = chunkOf(chunk, rest[0]);
    if (buffer) chunks.push(buffer);
    callLater([chunk, ...rest]);
    const body = options.head ? null : Buffer.concat(chunks);
    settle?.resolve(toWebResponse(res.statusCode, res.getHeaders(), body));
    return res;
  }) as ServerResponse['end'];

  return {
    response,
    restore() {
      res.off('close', onClose);
      Object.assign(res, original);
    },
  };
}

/** Resolves when the socket can take more data, or when the client has gone away. */
function drainedOrClosed(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off('drain', done);
      outgoing.off('close', done);
      resolve();
    };
    outgoing.on('drain', done);
    outgoing.on('close', done);
  });
}

/** Writes status and headers, then streams the body chunk by chunk, respecting backpressure. */
export async function writeWebResponse(
  response: Response,
  outgoing: ServerResponse,
): Promise<void> {
  outgoing.statusCode = response.status;
  if (response.statusText) outgoing.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue; // joined by Headers iteration; written one by one below
    outgoing.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) outgoing.setHeader('set-cookie', cookies);
  if (!response.body) {
    outgoing.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (outgoing.destroyed) {
        await reader.cancel();
        return;
      }
      if (!outgoing.write(value)) await drainedOrClosed(outgoing);
    }
    outgoing.end();
  } catch (error) {
    // Headers are already sent, so the only honest signal left is cutting the connection.
    await reader.cancel(error).catch(() => {});
    outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

/** A handler that threw: a plain 500 that leaks nothing of the error to the client. */
function errorResponse(): Response {
  return Response.json({ error: 'internal_error' }, { status: 500 });
}

/** Runs `handler` on a new node:http server bound to `host:port`. */
export async function serveFetch(
  handler: FetchHandler,
  options: ServeOptions,
): Promise<FetchServer> {
  let origin = '';
  const server = createServer((incoming, outgoing) => {
    const aborter = new AbortController();
    // The client hung up before the response was complete: tell the handler.
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) aborter.abort();
    });
    void (async () => {
      let response: Response;
      const request = toWebRequest(incoming, origin, aborter.signal);
      try {
        response = await handler(request);
      } catch (error) {
        options.onError?.(error, request);
        response = errorResponse();
      }
      // While closing, a keep-alive connection must not outlive its last response.
      if (closing) outgoing.setHeader('connection', 'close');
      await writeWebResponse(response, outgoing);
    })().catch((error: unknown) => {
      outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  origin = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: origin,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const cutOff = setTimeout(
          () => server.closeAllConnections(),
          options.closeGraceMs ?? 2_000,
        );
        server.close((error) => {
          clearTimeout(cutOff);
          if (error) reject(error);
          else resolve();
        });
        // Keep-alive sockets with no request in flight would otherwise hold close() open.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
