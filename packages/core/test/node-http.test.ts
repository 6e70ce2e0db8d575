import { afterEach, describe, expect, it } from 'vitest';
import { type FetchHandler, type FetchServer, serveFetch } from '../src/node.js';

const servers: FetchServer[] = [];
async function serve(handler: FetchHandler): Promise<FetchServer> {
  const server = await serveFetch(handler, { host: '127.0.0.1', port: 0 });
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('serveFetch', () => {
  it('streams a request body in and a response body out', async () => {
    const server = await serve(async (request) => {
      const text = await request.text();
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of [request.method, ' ', new URL(request.url).pathname, ' ', text]) {
            controller.enqueue(encoder.encode(part));
          }
          controller.close();
        },
      });
      const headers = new Headers({ 'x-seen': request.headers.get('x-test') ?? '' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new Response(body, { status: 201, headers });
    });

    const response = await fetch(`${server.url}/echo?q=1`, {
      method: 'POST',
      body: 'hello',
      headers: { 'x-test': 'yes' },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-seen')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.text()).toBe('POST /echo hello');
  });

  it('answers 500 when the handler throws', async () => {
    const server = await serve(() => {
      throw new Error('boom');
    });
    const response = await fetch(server.url);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'internal_error' });
  });

  it('closes the keep-alive connection of a response answered while closing', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await serveFetch(
      async () => {
        await gate;
        return new Response('late');
      },
      { host: '127.0.0.1', port: 0 },
    );
    const pending = fetch(server.url);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = server.close();
    release();
    const response = await pending;
    expect(await response.text()).toBe('late');
    expect(response.headers.get('connection')).toBe('close');
    await closed;
  });

  it('tells onError about a handler that threw', async () => {
    const seen: string[] = [];
    const server = await serveFetch(
      () => {
        throw new Error('kaput');
      },
      {
        host: '127.0.0.1',
        port: 0,
        onError: (error, request) =>
          seen.push(`${(error as Error).message} ${new URL(request.url).pathname}`),
      },
    );
    try {
      expect((await fetch(`${server.url}/x`)).status).toBe(500);
      expect(seen).toEqual(['kaput /x']);
    } finally {
      await server.close();
    }
  });

  it('closes promptly with a keep-alive connection open', async () => {
    const server = await serve(() => new Response('ok'));
    expect(await (await fetch(server.url)).text()).toBe('ok');
    const startedClosing = Date.now();
    await server.close();
    expect(Date.now() - startedClosing).toBeLessThan(1_000);
    await expect(fetch(server.url)).rejects.toThrow();
  });
});
