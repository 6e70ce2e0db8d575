/**
 * `@x402-rails/core/node` — node:http ⇄ Fetch, for Node servers and adapters (the rest of core is
 * Web-standard): an IncomingMessage becomes a Web `Request` (body streamed, not buffered), a Web
 * `Response` is streamed back into the ServerResponse, and `serveFetch` runs a Fetch handler on a
 * node:http server.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
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

/** Converts a node request; `origin` is the server's own, so a forged Host header cannot change URLs. */
export function toWebRequest(
  incoming: IncomingMessage,
  origin: string,
  signal: AbortSignal,
): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headersDistinct)) {
    for (const item of value ?? []) headers.append(name, item);
  }
  const method = incoming.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  // `duplex: 'half'` is required by undici for a streamed body but missing from the DOM typings.
  const init: RequestInit & { duplex?: 'half' } = {
    method,
    headers,
    signal,
    ...(hasBody
      ? { body: Readable.toWeb(incoming) as ReadableStream<Uint8Array>, duplex: 'half' }
      : {}),
  };
  return new Request(new URL(incoming.url ?? '/', origin), init);
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
