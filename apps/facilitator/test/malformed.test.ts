import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, startFacilitator, tempDir, writeConfig } from './helpers.js';
import { AUTH, fundPayer, paymentRequest, post, TOKEN } from './payments.js';

afterEach(cleanUp);

async function start() {
  const dir = await tempDir();
  const funded = fundPayer(join(dir, 'chain.json'));
  const config = await writeConfig(dir, {
    listen: { port: 0 },
    auth: { bearerTokenEnv: 'FACILITATOR_TOKEN' },
    store: { driver: 'memory' },
    rails: [{ type: 'toy', chainFile: 'chain.json' }],
  });
  return { service: await startFacilitator(config, { FACILITATOR_TOKEN: TOKEN }), funded };
}

const PAYMENT_ROUTES = ['/verify', '/settle', '/release'] as const;

/** The reason field each route answers a bad body with. */
function reasonOf(route: string, json: Record<string, unknown>): unknown {
  return route === '/settle' ? json['errorReason'] : json['invalidReason'];
}

describe('malformed requests', () => {
  it('answers bad bodies on /verify, /settle and /release with 400 and a reason', async () => {
    const { service, funded } = await start();
    const { body } = await paymentRequest(funded);
    const cases: { name: string; body: string; message: RegExp }[] = [
      { name: 'not JSON', body: '{"x402Version":', message: /not JSON/ },
      { name: 'empty', body: '', message: /not JSON/ },
      { name: 'wrong shape', body: JSON.stringify({ hello: 'world' }), message: /x402Version/ },
      {
        name: 'wrong version',
        body: JSON.stringify({ ...body, x402Version: 1 }),
        message: /x402Version/,
      },
      {
        name: 'bad requirements',
        body: JSON.stringify({
          ...body,
          paymentRequirements: { ...body.paymentRequirements, network: 'not a network' },
        }),
        message: /paymentRequirements\.network/,
      },
      { name: 'oversized', body: `{"pad":"${'x'.repeat(70_000)}"}`, message: /larger than/ },
    ];
    for (const route of PAYMENT_ROUTES) {
      for (const bad of cases) {
        const { status, json } = await post(service.url, route, bad.body);
        expect({ route, case: bad.name, status }).toEqual({ route, case: bad.name, status: 400 });
        expect(reasonOf(route, json)).toBe('invalid_payload');
        expect(JSON.stringify(json)).toMatch(bad.message);
      }
    }
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });

  it('refuses an oversized body sent without content-length (chunked) too', async () => {
    const { service } = await start();
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    // `duplex` is required by undici for a streamed body but missing from the DOM typings.
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: AUTH,
      body: stream,
      duplex: 'half',
    };
    const response = await fetch(`${service.url}/verify`, init);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      isValid: false,
      invalidReason: 'invalid_payload',
      invalidMessage: expect.stringMatching(/larger than 65536 bytes/),
    });
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });

  it('answers a well-formed request with a payload the rail cannot read as invalid, not an error', async () => {
    const { service, funded } = await start();
    const { body } = await paymentRequest(funded);
    const garbled = {
      ...body,
      paymentPayload: { ...body.paymentPayload, payload: { transfer: 'nonsense' } },
    };
    expect(await post(service.url, '/verify', garbled)).toMatchObject({
      status: 200,
      json: { isValid: false, invalidReason: 'invalid_payload' },
    });
    expect(await post(service.url, '/settle', garbled)).toMatchObject({
      status: 200,
      json: { success: false, errorReason: 'invalid_payload' },
    });
  });

  it('answers wrong methods with 405 and Allow, unknown paths with 404', async () => {
    const { service } = await start();
    const call = async (method: string, path: string, headers: Record<string, string> = AUTH) => {
      const response = await fetch(`${service.url}${path}`, { method, headers });
      return {
        status: response.status,
        allow: response.headers.get('allow'),
        json: (await response.json()) as unknown,
      };
    };
    const notAllowed = { error: 'method_not_allowed' };
    for (const route of PAYMENT_ROUTES) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        expect(await call(method, route)).toEqual({ status: 405, allow: 'POST', json: notAllowed });
      }
    }
    expect(await call('POST', '/supported')).toEqual({
      status: 405,
      allow: 'GET',
      json: notAllowed,
    });
    expect(await call('POST', '/health', {})).toEqual({
      status: 405,
      allow: 'GET',
      json: notAllowed,
    });
    expect(await call('POST', '/metrics', {})).toEqual({
      status: 405,
      allow: 'GET',
      json: notAllowed,
    });
    for (const path of ['/', '/nope', '/verify/extra', '/settle/', '/health/x']) {
      expect(await call('GET', path)).toMatchObject({ status: 404, json: { error: 'not_found' } });
    }

    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain(
      'x402_facilitator_http_requests_total{endpoint="other",status="404"} 5',
    );
    expect(metrics).toContain(
      'x402_facilitator_http_requests_total{endpoint="/verify",status="405"} 3',
    );
  });

  it('keeps serving after a client hangs up mid-request', async () => {
    const { service, funded } = await start();
    const { body } = await paymentRequest(funded);
    const aborter = new AbortController();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"x402Version":2,'));
        // …and nothing more: the client gives up half way.
        setTimeout(() => aborter.abort(), 100);
      },
    });
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: AUTH,
      body: stream,
      duplex: 'half',
      signal: aborter.signal,
    };
    await expect(fetch(`${service.url}/settle`, init)).rejects.toThrow();
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
    expect((await post(service.url, '/verify', body)).json).toMatchObject({ isValid: true });
  });
});
