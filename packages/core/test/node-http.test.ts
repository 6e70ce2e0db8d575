import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FetchHandler,
  type FetchServer,
  holdResponse,
  serveFetch,
  toWebRequest,
  toWebResponse,
  writeWebResponse,
} from '../src/node.js';

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

describe('toWebRequest', () => {
  it('with body: false copies method, URL and headers and leaves the node body unread', async () => {
    const seen: {
      method: string;
      url: string;
      header: string | null;
      hasBody: boolean;
      body: string;
    }[] = [];
    const server = createServer((incoming, outgoing) => {
      const request = toWebRequest(incoming, 'http://127.0.0.1:1', undefined, { body: false });
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        seen.push({
          method: request.method,
          url: request.url,
          header: request.headers.get('x-test'),
          hasBody: request.body !== null,
          body: Buffer.concat(chunks).toString(),
        });
        outgoing.end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/a?b=1`, {
        method: 'POST',
        body: 'the body',
        headers: { 'x-test': 'yes' },
      });
      expect(await response.text()).toBe('ok');
    } finally {
      server.close();
    }
    expect(seen).toEqual([
      {
        method: 'POST',
        url: 'http://127.0.0.1:1/a?b=1',
        header: 'yes',
        hasBody: false,
        body: 'the body',
      },
    ]);
  });
});

describe('toWebRequest targets', () => {
  const target = (url: string, options = {}) =>
    toWebRequest(
      { url, method: 'GET', headersDistinct: {} } as never,
      'http://127.0.0.1:9',
      undefined,
      options,
    ).url;

  it('keeps a target that starts with // a path on our own origin', () => {
    expect(target('//evil.example/x?y=1')).toBe('http://127.0.0.1:9//evil.example/x?y=1');
  });

  it('keeps only the path of an absolute-form target, and prefers options.target', () => {
    expect(target('http://evil.example/a%2Fb?q')).toBe('http://127.0.0.1:9/a%2Fb?q');
    expect(target('/inner', { target: '/mounted/inner' })).toBe('http://127.0.0.1:9/mounted/inner');
  });
});

describe('holdResponse', () => {
  it('turns what a node handler writes into a Web Response, sending nothing until told', async () => {
    const held: Response[] = [];
    const server = createServer((_incoming, outgoing) => {
      const hold = holdResponse(outgoing);
      outgoing.setHeader('x-early', '1');
      outgoing.writeHead(201, 'Made', ['x-flat', 'a', 'set-cookie', 'c=1']);
      outgoing.flushHeaders();
      outgoing.write('héllo ', 'utf8');
      outgoing.write(Buffer.from('wörld'));
      outgoing.end(undefined, () => {});
      void hold.response.then(async (response) => {
        held.push(response.clone());
        expect(outgoing.headersSent).toBe(false); // nothing went out while held
        hold.restore();
        for (const name of outgoing.getHeaderNames()) outgoing.removeHeader(name);
        await writeWebResponse(
          new Response(`served ${await response.text()}`, { status: 202 }),
          outgoing,
        );
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(response.status).toBe(202);
      expect(response.headers.get('x-flat')).toBeNull();
      expect(await response.text()).toBe('served héllo wörld');
    } finally {
      server.close();
    }
    const [first] = held;
    expect(first?.status).toBe(201);
    expect(first?.headers.get('x-early')).toBe('1');
    expect(first?.headers.get('x-flat')).toBe('a');
    expect(first?.headers.getSetCookie()).toEqual(['c=1']);
    expect(await first?.text()).toBe('héllo wörld');
  });

  it('gives statuses without a body no body', async () => {
    expect(toWebResponse(204, { 'x-a': ['1', '2'] }, Buffer.from('x')).body).toBeNull();
    const response = toWebResponse(200, { 'content-length': 1 }, Buffer.from('x'));
    expect(response.headers.get('content-length')).toBe('1');
    expect(await response.text()).toBe('x');
  });
});
