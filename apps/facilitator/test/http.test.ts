import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, runFacilitator, startFacilitator, tempDir, writeConfig } from './helpers.js';
import { AUTH, fundPayer, paymentRequest, post, sample, TOKEN, transfersOf } from './payments.js';

afterEach(cleanUp);

/**
 * A service on a free port with bearer auth, a toy rail whose chain file funds one payer (written
 * before the start: the service loads the chain then), and, for speed, the memory store.
 */
async function start() {
  const dir = await tempDir();
  const chainFile = join(dir, 'chain.json');
  const funded = fundPayer(chainFile, 10_000n);
  const config = await writeConfig(dir, {
    listen: { port: 0 },
    auth: { bearerTokenEnv: 'FACILITATOR_TOKEN' },
    store: { driver: 'memory' },
    rails: [{ type: 'toy', chainFile: './chain.json' }],
  });
  const service = await startFacilitator(config, { FACILITATOR_TOKEN: TOKEN });
  return { service, chainFile, funded };
}

describe('the facilitator over HTTP', () => {
  it('verifies and settles a toy payment, behind bearer auth', async () => {
    const { service, chainFile, funded } = await start();
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
    const { body, nonce } = await paymentRequest(funded);

    expect((await post(service.url, '/verify', body, {})).status).toBe(401);
    expect(
      (await post(service.url, '/settle', body, { authorization: 'Bearer nope' })).status,
    ).toBe(401);
    expect(transfersOf(chainFile, funded.payer.address, nonce)).toHaveLength(0);

    const verified = await post(service.url, '/verify', body);
    expect(verified).toMatchObject({
      status: 200,
      json: { isValid: true, payer: funded.payer.address },
    });
    const settled = await post(service.url, '/settle', body);
    expect(settled).toMatchObject({
      status: 200,
      json: { success: true, network: 'toy:local', payer: funded.payer.address, amount: '1000' },
    });
    expect(settled.json['transaction']).toMatch(/^[0-9a-f]{64}$/);
    expect(transfersOf(chainFile, funded.payer.address, nonce)).toEqual([
      expect.objectContaining({ id: settled.json['transaction'], amount: 1000n }),
    ]);

    // A retry returns the first result from the journal; the rail refuses a reused nonce at verify.
    expect((await post(service.url, '/settle', body)).json).toEqual(settled.json);
    expect((await post(service.url, '/verify', body)).json).toMatchObject({
      isValid: false,
      invalidReason: 'payment_already_used',
    });
    expect(transfersOf(chainFile, funded.payer.address, nonce)).toHaveLength(1);
  });

  it('serves /supported with auth, /health and /metrics without', async () => {
    const { service } = await start();
    const unauthorized = await fetch(`${service.url}/supported`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer');

    const supported = await fetch(`${service.url}/supported`, { headers: AUTH });
    expect(supported.status).toBe(200);
    expect(await supported.json()).toEqual({
      kinds: [{ x402Version: 2, scheme: 'exact', network: 'toy:local' }],
      extensions: [],
      signers: {},
    });

    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const metrics = await fetch(`${service.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await metrics.text();
    expect(
      sample(text, 'x402_facilitator_http_requests_total{endpoint="/supported",status="401"}'),
    ).toBe(1);
    expect(
      sample(text, 'x402_facilitator_http_requests_total{endpoint="/supported",status="200"}'),
    ).toBe(1);
    expect(
      sample(text, 'x402_facilitator_http_requests_total{endpoint="/health",status="200"}'),
    ).toBe(1);
  });

  it('counts verifies, settles and failures by reason, with latency histograms', async () => {
    const { service, funded } = await start();
    const paid = await paymentRequest(funded);
    expect((await post(service.url, '/verify', paid.body)).json).toMatchObject({ isValid: true });
    expect((await post(service.url, '/settle', paid.body)).json).toMatchObject({ success: true });
    expect((await post(service.url, '/verify', paid.body)).json).toMatchObject({
      invalidReason: 'payment_already_used',
    });
    const tooMuch = await paymentRequest(funded, '20000');
    expect((await post(service.url, '/settle', tooMuch.body)).json).toMatchObject({
      success: false,
      errorReason: 'insufficient_funds',
    });

    // A network no rail serves is counted under `unsupported`, not as a new label value.
    const foreignRequirements = { ...paid.body.paymentRequirements, network: 'eip155:8453' };
    const foreign = {
      ...paid.body,
      paymentPayload: { ...paid.body.paymentPayload, accepted: foreignRequirements },
      paymentRequirements: foreignRequirements,
    };
    expect((await post(service.url, '/verify', foreign)).json).toMatchObject({
      invalidReason: 'invalid_network',
    });

    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).not.toContain('eip155');
    expect(
      sample(
        text,
        'x402_facilitator_verify_total{scheme="unsupported",network="unsupported",result="invalid"}',
      ),
    ).toBe(1);
    const toy = 'scheme="exact",network="toy:local"';
    expect(sample(text, `x402_facilitator_verify_total{${toy},result="valid"}`)).toBe(1);
    expect(sample(text, `x402_facilitator_verify_total{${toy},result="invalid"}`)).toBe(1);
    expect(sample(text, `x402_facilitator_settle_total{${toy},result="success"}`)).toBe(1);
    expect(sample(text, `x402_facilitator_settle_total{${toy},result="failure"}`)).toBe(1);
    expect(
      sample(
        text,
        'x402_facilitator_failures_total{operation="verify",reason="payment_already_used"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'x402_facilitator_failures_total{operation="settle",reason="insufficient_funds"}',
      ),
    ).toBe(1);
    expect(sample(text, `x402_facilitator_verify_duration_seconds_count{${toy}}`)).toBe(2);
    expect(sample(text, `x402_facilitator_verify_duration_seconds_bucket{${toy},le="+Inf"}`)).toBe(
      2,
    );
    expect(sample(text, `x402_facilitator_settle_duration_seconds_count{${toy}}`)).toBe(2);
    expect(sample(text, `x402_facilitator_settle_duration_seconds_sum{${toy}}`)).toBeGreaterThan(0);
    expect(
      sample(text, 'x402_facilitator_http_requests_total{endpoint="/settle",status="200"}'),
    ).toBe(2);
    expect(text).toContain('# TYPE x402_facilitator_settle_duration_seconds histogram');
  });

  it('logs one JSON line per request with its id, echoed in x-request-id', async () => {
    const { service, funded } = await start();
    const { body } = await paymentRequest(funded, '20000');

    const given = await post(service.url, '/verify', body, {
      ...AUTH,
      'x-request-id': 'req-1.a_B',
    });
    expect(given.headers.get('x-request-id')).toBe('req-1.a_B');
    const line = await service.waitForLog((l) => l['reqId'] === 'req-1.a_B');
    expect(line).toMatchObject({
      msg: 'request',
      level: 'info',
      method: 'POST',
      path: '/verify',
      status: 200,
      scheme: 'exact',
      network: 'toy:local',
      result: 'invalid',
      reason: 'insufficient_funds',
    });
    expect(typeof line['durationMs']).toBe('number');

    // Ill-formed ids (too long, odd characters) are replaced, never echoed or logged.
    for (const bad of ['x'.repeat(129), 'a b', 'a"b']) {
      const response = await fetch(`${service.url}/health`, { headers: { 'x-request-id': bad } });
      const id = response.headers.get('x-request-id') ?? '';
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await service.waitForLog((l) => l['reqId'] === id && l['path'] === '/health');
    }

    // The token and the payment's signature appear in no log line.
    const signature = String((body.paymentPayload.payload as { signature: string }).signature);
    const logged = service.logs.map((l) => JSON.stringify(l)).join('\n');
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain(signature);
  });

  it('takes --port over listen.port; a port in use fails the start with exit code 1', async () => {
    const { service } = await start();
    const port = new URL(service.url).port;
    const dir = await tempDir();
    const config = await writeConfig(dir, {
      listen: { port: 1 },
      store: { driver: 'memory' },
      rails: [{ type: 'toy', chainFile: 'chain.json' }],
    });
    const taken = await runFacilitator(['--config', config, '--port', port]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('failed to start');
    expect(taken.stderr).toContain('EADDRINUSE');
    expect(taken.stdout).toContain('"level":"fatal"');
  });
});
