import { createToyRail } from '@x402-rails/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFacilitator,
  createFacilitatorHandler,
  createHttpFacilitatorClient,
} from '../src/facilitator.js';
import {
  FacilitatorError,
  type PaymentRequirements,
  type SchemeFacilitator,
} from '../src/index.js';
import { serveFetch } from '../src/node.js';
import { toyPayer } from './helpers.js';

async function fixture() {
  const toy = createToyRail();
  const { requirements, pay: makePayload } = toyPayer(toy);
  return {
    toy,
    requirements,
    makePayload,
    facilitator: createFacilitator({ schemes: [toy.facilitator] }),
  };
}

const throwingRail: SchemeFacilitator = {
  scheme: 'exact',
  networks: ['toy:broken'],
  verify: () => Promise.reject(new Error('rpc exploded')),
  settle: () => Promise.reject(new Error('rpc exploded')),
};

describe('facilitator engine', () => {
  it('verifies and settles through the registered rail', async () => {
    const f = await fixture();
    const payload = await f.makePayload();
    expect(await f.facilitator.verify(payload, f.requirements)).toMatchObject({ isValid: true });
    expect(await f.facilitator.settle(payload, f.requirements)).toMatchObject({
      success: true,
      network: 'toy:local',
    });
  });

  it('names unsupported schemes and networks, and mismatched requirements', async () => {
    const f = await fixture();
    const payload = await f.makePayload();
    const other = (change: Partial<PaymentRequirements>) => ({ ...f.requirements, ...change });
    const presented = (req: PaymentRequirements) => ({ ...payload, accepted: req });
    expect(
      (await f.facilitator.verify(presented(other({ scheme: 'upto' })), other({ scheme: 'upto' })))
        .invalidReason,
    ).toBe('unsupported_scheme');
    expect(
      (
        await f.facilitator.verify(
          presented(other({ network: 'toy:nowhere' })),
          other({ network: 'toy:nowhere' }),
        )
      ).invalidReason,
    ).toBe('invalid_network');
    expect((await f.facilitator.verify(payload, other({ amount: '1' }))).invalidReason).toBe(
      'invalid_payment_requirements',
    );
    expect((await f.facilitator.settle(payload, other({ scheme: 'upto' }))).errorReason).toBe(
      'invalid_scheme',
    );
  });

  it('turns a rail that throws into unexpected_verify_error / unexpected_settle_error', async () => {
    const f = await fixture();
    const facilitator = createFacilitator({ schemes: [throwingRail] });
    const requirements = { ...f.requirements, network: 'toy:broken' as const };
    const payload = { ...(await f.makePayload()), accepted: requirements };
    expect(await facilitator.verify(payload, requirements)).toMatchObject({
      isValid: false,
      invalidReason: 'unexpected_verify_error',
      invalidMessage: 'rpc exploded',
    });
    expect(await facilitator.settle(payload, requirements)).toMatchObject({
      success: false,
      errorReason: 'unexpected_settle_error',
      transaction: '',
    });
  });

  it('announces its kinds and signers', async () => {
    const toy = createToyRail();
    const facilitator = createFacilitator({
      schemes: [
        toy.facilitator,
        { ...throwingRail, networks: ['toy:*'], signers: () => ({ 'toy:*': ['abc'] }) },
      ],
      extensions: ['bazaar'],
    });
    expect(await facilitator.supported()).toEqual({
      kinds: [{ x402Version: 2, scheme: 'exact', network: 'toy:local' }],
      extensions: ['bazaar'],
      signers: { 'toy:*': ['abc'] },
    });
  });
});

describe('facilitator Fetch handler', () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    new Request(`http://127.0.0.1${path}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers,
    });

  it('serves /verify, /settle, /supported and /health', async () => {
    const f = await fixture();
    const handle = createFacilitatorHandler(f.facilitator);
    const body = {
      x402Version: 2,
      paymentPayload: await f.makePayload(),
      paymentRequirements: f.requirements,
    };
    expect(await (await handle(post('/verify', body))).json()).toMatchObject({ isValid: true });
    expect(await (await handle(post('/settle', body))).json()).toMatchObject({ success: true });
    expect(await (await handle(new Request('http://127.0.0.1/supported'))).json()).toMatchObject({
      kinds: [{ scheme: 'exact' }],
    });
    expect((await handle(new Request('http://127.0.0.1/health'))).status).toBe(200);
  });

  it('answers bad bodies with 400 and a reason, wrong methods with 405, unknown paths with 404', async () => {
    const f = await fixture();
    const handle = createFacilitatorHandler(f.facilitator, { maxBodyBytes: 4096 });
    const notJson = await handle(post('/verify', '{nope'));
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({
      isValid: false,
      invalidReason: 'invalid_payload',
    });
    const wrongShape = await handle(post('/settle', { x402Version: 2, paymentPayload: {} }));
    expect(wrongShape.status).toBe(400);
    expect(await wrongShape.json()).toMatchObject({
      success: false,
      errorReason: 'invalid_payload',
    });
    const huge = await handle(post('/verify', 'x'.repeat(5000)));
    expect(huge.status).toBe(400);
    expect((await huge.json()).invalidMessage).toContain('larger than');
    expect((await handle(new Request('http://127.0.0.1/verify'))).status).toBe(405);
    expect((await handle(new Request('http://127.0.0.1/nope'))).status).toBe(404);
  });

  it('requires the bearer token when configured, except for /health', async () => {
    const f = await fixture();
    const handle = createFacilitatorHandler(f.facilitator, {
      bearerToken: 's3cret',
      basePath: '/facilitator',
    });
    expect((await handle(new Request('http://127.0.0.1/facilitator/supported'))).status).toBe(401);
    expect(
      (
        await handle(
          new Request('http://127.0.0.1/facilitator/supported', {
            headers: { authorization: 'Bearer wrong' },
          }),
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await handle(
          new Request('http://127.0.0.1/facilitator/supported', {
            headers: { authorization: 'Bearer s3cret' },
          }),
        )
      ).status,
    ).toBe(200);
    expect((await handle(new Request('http://127.0.0.1/facilitator/health'))).status).toBe(200);
    // Unknown paths and wrong methods answer the same with or without a token.
    expect((await handle(new Request('http://127.0.0.1/facilitator/nope'))).status).toBe(404);
    expect(
      (await handle(new Request('http://127.0.0.1/facilitator/health', { method: 'POST' }))).status,
    ).toBe(405);
    expect(
      (
        await handle(
          new Request('http://127.0.0.1/supported', {
            headers: { authorization: 'Bearer s3cret' },
          }),
        )
      ).status,
    ).toBe(404);
  });
});

describe('HTTP facilitator client (real HTTP on 127.0.0.1)', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  async function serve(handler: (r: Request) => Promise<Response> | Response) {
    const s = await serveFetch(handler, { host: '127.0.0.1', port: 0 });
    servers.push(s);
    return s.url;
  }

  it('verifies, settles and reads /supported, sending the per-call headers', async () => {
    const f = await fixture();
    const inner = createFacilitatorHandler(f.facilitator, { bearerToken: 'tok' });
    const ops: string[] = [];
    const url = await serve(inner);
    const client = createHttpFacilitatorClient({
      url,
      headers: (op) => {
        ops.push(op);
        return { authorization: 'Bearer tok' };
      },
    });
    const payload = await f.makePayload();
    expect(await client.verify(payload, f.requirements)).toMatchObject({ isValid: true });
    expect(await client.settle(payload, f.requirements)).toMatchObject({ success: true });
    expect((await client.supported()).kinds).toHaveLength(1);
    expect(ops).toEqual(['verify', 'settle', 'supported']);
  });

  it('fails over to the next facilitator for verify and supported, never for settle', async () => {
    const f = await fixture();
    const down = await serve(() => new Response('maintenance', { status: 503 }));
    const up = await serve(createFacilitatorHandler(f.facilitator));
    const client = createHttpFacilitatorClient({ url: down, fallbackUrls: [up] });
    const payload = await f.makePayload();
    expect(await client.verify(payload, f.requirements)).toMatchObject({ isValid: true });
    expect((await client.supported()).kinds).toHaveLength(1);
    await expect(client.settle(payload, f.requirements)).rejects.toMatchObject({
      code: 'facilitator_unavailable',
    });
    expect(f.toy.chain.transfers).toHaveLength(0);
  });

  it('rejects a malformed facilitator answer, and times out', async () => {
    const f = await fixture();
    const payload = await f.makePayload();
    const liar = await serve(() => Response.json({ valid: 'yes' }));
    await expect(
      createHttpFacilitatorClient({ url: liar }).verify(payload, f.requirements),
    ).rejects.toMatchObject({
      code: 'invalid_facilitator_response',
    });
    const slow = await serve(
      () =>
        new Promise<Response>((resolve) =>
          setTimeout(() => resolve(Response.json({ isValid: true })), 500),
        ),
    );
    const error = await createHttpFacilitatorClient({ url: slow, timeoutMs: { verify: 50 } })
      .verify(payload, f.requirements)
      .catch((e) => e);
    expect(error).toBeInstanceOf(FacilitatorError);
    expect(error.code).toBe('facilitator_unavailable');
  });

  it('refuses a facilitator URL that is not a URL', () => {
    expect(() => createHttpFacilitatorClient({ url: 'not a url' })).toThrow(FacilitatorError);
  });
});
