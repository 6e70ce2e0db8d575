/**
 * Wire compatibility with the official SDK (@x402/core): its HTTP client reads our 402, builds the
 * payment header our server accepts and reads our PAYMENT-RESPONSE; its schemas accept what we send.
 */
import { x402Client } from '@x402/core/client';
import { HTTPFacilitatorClient, x402HTTPClient } from '@x402/core/http';
import {
  validatePaymentPayload as officialValidatePayload,
  validatePaymentRequired as officialValidateRequired,
} from '@x402/core/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { createFacilitator, createFacilitatorHandler } from '../src/facilitator.js';
import { decodePaymentRequiredHeader, decodePaymentSignatureHeader } from '../src/index.js';
import { serveFetch } from '../src/node.js';
import { deploy, paymentHeader } from './helpers.js';

const URL_A = 'http://127.0.0.1:4021/weather';

describe('interop with the official @x402/core', () => {
  it('the official HTTP client pays our resource server', async () => {
    const d = deploy();
    const { client: toyClient, wallet } = d.toy.fundedClient(1_000_000n);
    // The official client with a scheme adapter around our toy rail's client role.
    const official = new x402HTTPClient(
      x402Client.fromConfig({
        // TOY is no default stablecoin: allow it, capped at 0.05 TOY per payment.
        spendControls: {
          allowedAssets: [{ network: 'toy:local', asset: 'TOY', maxAmountPerPayment: '50000' }],
        },
        schemes: [
          {
            network: 'toy:local',
            client: {
              scheme: 'exact',
              async createPaymentPayload(x402Version, requirements) {
                const created = await toyClient.create({ requirements, resource: { url: URL_A } });
                return { x402Version, payload: created.payload };
              },
            },
          },
        ],
      }),
    );
    const handler = () => Response.json({ weather: 'sunny' });
    const unpaid = await d.server.handle(new Request(URL_A), d.route, handler);
    const paymentRequired = official.getPaymentRequiredResponse((name) => unpaid.headers.get(name));
    expect(paymentRequired.x402Version).toBe(2);
    const payload = await official.createPaymentPayload(paymentRequired);
    const headers = official.encodePaymentSignatureHeader(payload);
    expect(Object.keys(headers)).toEqual(['PAYMENT-SIGNATURE']);
    const paid = await d.server.handle(new Request(URL_A, { headers }), d.route, handler);
    expect(paid.status).toBe(200);
    const settlement = official.getPaymentSettleResponse((name) => paid.headers.get(name));
    expect(settlement).toMatchObject({
      success: true,
      network: 'toy:local',
      payer: wallet.address,
    });
    expect(d.toy.chain.balanceOf(d.merchant)).toBe(10_000n);
  });

  it('our PAYMENT-REQUIRED and PAYMENT-SIGNATURE pass the official schemas', async () => {
    const d = deploy();
    const { client } = d.toy.fundedClient();
    const unpaid = await d.server.handle(new Request(URL_A), d.route, () => new Response());
    const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
    expect(() => officialValidateRequired(required)).not.toThrow();
    const { header } = await paymentHeader(d, URL_A, client);
    expect(() => officialValidatePayload(decodePaymentSignatureHeader(header))).not.toThrow();
  });

  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('the official HTTP facilitator client verifies and settles through our facilitator service', async () => {
    const d = deploy();
    const { client } = d.toy.fundedClient(1_000_000n);
    const service = await serveFetch(
      createFacilitatorHandler(createFacilitator({ schemes: [d.toy.facilitator] })),
      { host: '127.0.0.1', port: 0 },
    );
    servers.push(service);
    const official = new HTTPFacilitatorClient({ url: service.url });
    const { payload } = await paymentHeader(d, URL_A, client);
    // The official types make `extra` required (the specification makes it optional); ours has it.
    type OfficialPayload = Parameters<typeof official.verify>[0];
    const sent = payload as OfficialPayload;
    expect(await official.verify(sent, sent.accepted)).toMatchObject({ isValid: true });
    expect(await official.settle(sent, sent.accepted)).toMatchObject({
      success: true,
      network: 'toy:local',
    });
    expect((await official.getSupported()).kinds).toEqual([
      { x402Version: 2, scheme: 'exact', network: 'toy:local' },
    ]);
    expect(d.toy.chain.balanceOf(d.merchant)).toBe(10_000n);
  });
});
