/**
 * The conformance suite every rail runs in its own tests (vitest):
 *
 *   runRailConformance({ name: 'toy', setup: async () => harness });
 *
 * It checks the create → verify → settle round trip, that tampered requirements are refused with
 * the right reason, time windows, replay, concurrent settlement, malformed payloads, and that
 * verify moves no money.
 */
import type {
  Network,
  PaymentPayload,
  PaymentRequirements,
  ResourceInfo,
  SchemeClient,
  SchemeFacilitator,
  SchemeServer,
} from '@x402-rails/core';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { createResourceServer } from '@x402-rails/core/server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export type ConformanceCase =
  | 'amount'
  | 'payTo'
  | 'asset'
  | 'network'
  | 'expired'
  | 'notYetValid'
  | 'replay';

export interface RailHarness {
  client: SchemeClient;
  server: SchemeServer;
  facilitator: SchemeFacilitator;
  /** Requirements for a small price that `client` can afford several times over. */
  requirements: PaymentRequirements;
  /** The payer's address as the rail reports it. */
  payer: string;
  balanceOf(address: string): Promise<bigint>;
  /** Another valid recipient address and another asset of the rail, for tampering. */
  otherPayTo: string;
  otherAsset: string;
  /** A network the facilitator does not serve (default `toy:elsewhere` style: `<namespace>:conformance-other`). */
  otherNetwork?: Network;
  /** Clients whose clocks are shifted, to make expired and not-yet-valid payments; omit to skip those cases. */
  clientAt?(offsetSeconds: number): SchemeClient;
  /** Expected reasons per case, where the rail's vocabulary differs from the core one. */
  reasons?: Partial<Record<ConformanceCase, readonly string[]>>;
  close?(): Promise<void>;
}

export interface RailConformanceOptions {
  name: string;
  setup(): Promise<RailHarness>;
  /** fast-check runs for the malformed-payload property (default 100). */
  fuzzRuns?: number;
  /** Parallel settles of one payment (default 10). */
  concurrentSettles?: number;
}

const DEFAULT_REASONS: Record<ConformanceCase, readonly string[]> = {
  amount: ['amount_mismatch'],
  payTo: ['recipient_mismatch'],
  asset: ['asset_mismatch'],
  network: ['invalid_network'],
  expired: ['payment_expired'],
  notYetValid: ['payment_not_yet_valid'],
  replay: ['payment_already_used'],
};

const RESOURCE: ResourceInfo = {
  url: 'http://127.0.0.1/conformance/resource',
  description: 'conformance',
};

export function runRailConformance(options: RailConformanceOptions): void {
  describe(`rail conformance: ${options.name}`, () => {
    let h: RailHarness;
    const reasons = (c: ConformanceCase) => h.reasons?.[c] ?? DEFAULT_REASONS[c];

    beforeAll(async () => {
      h = await options.setup();
    });
    afterAll(async () => {
      await h?.close?.();
    });

    async function pay(requirements = h.requirements, client = h.client): Promise<PaymentPayload> {
      const created = await client.create({ requirements, resource: RESOURCE });
      return {
        x402Version: 2,
        resource: RESOURCE,
        accepted: requirements,
        payload: created.payload,
      };
    }

    async function balances() {
      return { payer: await h.balanceOf(h.payer), payTo: await h.balanceOf(h.requirements.payTo) };
    }

    /** A payment made for `tampered` must be refused when presented against `tampered`... */
    async function expectRefused(
      tampered: PaymentRequirements,
      payload: PaymentPayload,
      expected: readonly string[],
    ) {
      const before = await balances();
      const presented = { ...payload, accepted: tampered };
      const verified = await h.facilitator.verify(presented, tampered);
      expect(verified.isValid).toBe(false);
      expect(expected).toContain(verified.invalidReason);
      const settled = await h.facilitator.settle(presented, tampered);
      expect(settled.success).toBe(false);
      expect(expected).toContain(settled.errorReason);
      expect(await balances()).toEqual(before);
    }

    it('round trip: create → verify → settle moves exactly the amount, once', async () => {
      const payload = await pay();
      const before = await balances();
      const verified = await h.facilitator.verify(payload, h.requirements);
      expect(verified).toMatchObject({ isValid: true });
      const settled = await h.facilitator.settle(payload, h.requirements);
      expect(settled.success).toBe(true);
      expect(settled.transaction.length).toBeGreaterThan(0);
      expect(settled.network).toBe(h.requirements.network);
      const after = await balances();
      const amount = BigInt(h.requirements.amount);
      expect(after.payer).toBe(before.payer - amount);
      expect(after.payTo).toBe(before.payTo + amount);
    });

    it('verify moves no money', async () => {
      const payload = await pay();
      const before = await balances();
      for (let i = 0; i < 3; i++)
        expect((await h.facilitator.verify(payload, h.requirements)).isValid).toBe(true);
      expect(await balances()).toEqual(before);
      await h.facilitator.release?.(payload, h.requirements);
    });

    it('a payment id is stable and distinct per payment', async () => {
      const a = await pay();
      const b = await pay();
      expect(h.server.paymentId(a)).toBe(h.server.paymentId(structuredClone(a)));
      expect(h.server.paymentId(a)).not.toBe(h.server.paymentId(b));
    });

    it('refuses a tampered amount', async () => {
      const payload = await pay();
      const tampered = {
        ...h.requirements,
        amount: (BigInt(h.requirements.amount) + 1n).toString(),
      };
      await expectRefused(tampered, payload, reasons('amount'));
    });

    it('refuses a tampered payTo', async () => {
      await expectRefused(
        { ...h.requirements, payTo: h.otherPayTo },
        await pay(),
        reasons('payTo'),
      );
    });

    it('refuses a tampered asset', async () => {
      await expectRefused(
        { ...h.requirements, asset: h.otherAsset },
        await pay(),
        reasons('asset'),
      );
    });

    it('refuses a tampered network', async () => {
      const namespace = h.requirements.network.split(':')[0];
      const other = h.otherNetwork ?? (`${namespace}:conformance-other` as Network);
      await expectRefused({ ...h.requirements, network: other }, await pay(), reasons('network'));
    });

    it('refuses a payment made for another resource (resource-server engine)', async () => {
      const facilitator = createFacilitator({ schemes: [h.facilitator] });
      const server = createResourceServer({ facilitator, schemes: [h.server] });
      const req = h.requirements;
      const route = {
        accepts: {
          scheme: req.scheme,
          network: req.network,
          price: {
            amount: req.amount,
            asset: req.asset,
            ...(req.extra ? { extra: req.extra } : {}),
          },
          payTo: req.payTo,
          maxTimeoutSeconds: req.maxTimeoutSeconds,
        },
      };
      const offered = await server.paymentRequired(
        new Request('http://127.0.0.1/conformance/a'),
        route,
      );
      const requirements = offered.accepts[0] as PaymentRequirements;
      const created = await h.client.create({ requirements, resource: offered.resource });
      const payload: PaymentPayload = {
        x402Version: 2,
        resource: offered.resource,
        accepted: requirements,
        payload: created.payload,
      };
      const header = Buffer.from(JSON.stringify(payload)).toString('base64');
      const before = await balances();
      let served = false;
      const response = await server.handle(
        new Request('http://127.0.0.1/conformance/b', { headers: { 'payment-signature': header } }),
        route,
        () => {
          served = true;
          return new Response('paid content');
        },
      );
      expect(response.status).toBe(402);
      expect(await response.json()).toMatchObject({ error: 'resource_mismatch' });
      expect(served).toBe(false);
      expect(await balances()).toEqual(before);
    });

    it('refuses an expired payment', async (ctx) => {
      if (!h.clientAt) return ctx.skip();
      const payload = await pay(
        h.requirements,
        h.clientAt(-2 * h.requirements.maxTimeoutSeconds - 60),
      );
      await expectRefused(h.requirements, payload, reasons('expired'));
    });

    it('refuses a payment that is not valid yet', async (ctx) => {
      if (!h.clientAt) return ctx.skip();
      const payload = await pay(h.requirements, h.clientAt(3600));
      await expectRefused(h.requirements, payload, reasons('notYetValid'));
    });

    it('refuses a replay after settlement', async () => {
      const payload = await pay();
      expect((await h.facilitator.settle(payload, h.requirements)).success).toBe(true);
      await expectRefused(h.requirements, payload, reasons('replay'));
    });

    it('reports status on the rail (when the rail offers it): not_found, then settled with the same transaction', async (ctx) => {
      const status = h.facilitator.status?.bind(h.facilitator);
      if (!status) return ctx.skip();
      const payload = await pay();
      expect(await status(payload, h.requirements)).toEqual({ state: 'not_found' });
      const settled = await h.facilitator.settle(payload, h.requirements);
      expect(settled.success).toBe(true);
      const after = await status(payload, h.requirements);
      expect(after.state).toBe('settled');
      expect(after.state === 'settled' && after.settlement.transaction).toBe(settled.transaction);
    });

    it('gives the facilitator the same payment id as the server (when it offers one)', async (ctx) => {
      if (!h.facilitator.paymentId) return ctx.skip();
      const payload = await pay();
      expect(h.facilitator.paymentId(payload)).toBe(h.server.paymentId(payload));
    });

    it('settles one payment exactly once under concurrent settles', async () => {
      const payload = await pay();
      const before = await balances();
      const results = await Promise.all(
        Array.from({ length: options.concurrentSettles ?? 10 }, () =>
          h.facilitator.settle(structuredClone(payload), h.requirements),
        ),
      );
      expect(results.filter((r) => r.success)).toHaveLength(1);
      const after = await balances();
      expect(after.payer).toBe(before.payer - BigInt(h.requirements.amount));
    });

    it('answers malformed payloads with a clean invalid result, never a throw', async () => {
      const valid = await pay();
      const before = await balances();
      const mutate = fc.oneof(
        fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 })),
        fc.record({
          transfer: fc.jsonValue({ maxDepth: 3 }),
          signature: fc.jsonValue({ maxDepth: 1 }),
        }),
        // A valid payload with one field replaced by arbitrary JSON.
        fc
          .tuple(fc.constantFrom(...Object.keys(valid.payload)), fc.jsonValue({ maxDepth: 2 }))
          .map(([key, value]) => ({ ...valid.payload, [key]: value })),
      );
      await fc.assert(
        fc.asyncProperty(mutate, async (body) => {
          const payload = { ...valid, payload: body as Record<string, unknown> };
          if (JSON.stringify(body) === JSON.stringify(valid.payload)) return;
          const verified = await h.facilitator.verify(payload, h.requirements);
          expect(verified.isValid).toBe(false);
          expect(typeof verified.invalidReason).toBe('string');
          const settled = await h.facilitator.settle(payload, h.requirements);
          expect(settled.success).toBe(false);
        }),
        { numRuns: options.fuzzRuns ?? 100 },
      );
      expect(await balances()).toEqual(before);
    });
  });
}
