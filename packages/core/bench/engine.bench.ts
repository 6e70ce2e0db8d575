/**
 * `pnpm bench` — prints JSON lines:
 *   1. header decode + validate per second: ours, and the official @x402/core on the same header;
 *   2. the resource-server engine's overhead per paid request with the toy rail in process:
 *      paid time − the same handler unpaid − the in-process facilitator's verify+settle time
 *      (the rail's own work plus the facilitator's settlement journal, reported separately).
 * Run with `node --conditions=source` (the script does) so workspace packages load from src.
 */
import { performance } from 'node:perf_hooks';
import { decodePaymentSignatureHeader as officialDecode } from '@x402/core/http';
import { validatePaymentPayload as officialValidate } from '@x402/core/schemas';
import { createToyRail, createToyWallet } from '@x402-rails/testkit';
import { createFacilitator } from '../src/facilitator.js';
import {
  decodePaymentSignatureHeader,
  encodePaymentSignatureHeader,
  type PaymentPayload,
} from '../src/index.js';
import { createResourceServer, type RoutePaymentConfig } from '../src/server.js';

const print = (line: Record<string, unknown>) => console.log(JSON.stringify(line));
const usPer = (ms: number, n: number) => Number(((ms * 1000) / n).toFixed(2));

function time(n: number, run: (i: number) => void): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) run(i);
  return performance.now() - start;
}

async function timeAsync(n: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await run(i);
  return performance.now() - start;
}

async function makePayments(
  n: number,
  route: RoutePaymentConfig,
  server: ReturnType<typeof createResourceServer>,
  url: string,
  toy: ReturnType<typeof createToyRail>,
) {
  const { client } = toy.fundedClient(10n ** 15n);
  const required = await server.paymentRequired(new Request(url), route);
  const requirements = required.accepts[0];
  if (!requirements) throw new Error('no offer');
  const payloads: PaymentPayload[] = [];
  for (let i = 0; i < n; i++) {
    const created = await client.create({ requirements, resource: required.resource });
    payloads.push({
      x402Version: 2,
      resource: required.resource,
      accepted: requirements,
      payload: created.payload,
    });
  }
  return payloads;
}

async function main() {
  const toy = createToyRail();
  const merchant = createToyWallet().address;
  const facilitator = createFacilitator({ schemes: [toy.facilitator] });
  const server = createResourceServer({ facilitator, schemes: [toy.server] });
  const route: RoutePaymentConfig = {
    accepts: { scheme: 'exact', network: toy.network, price: '$0.001', payTo: merchant },
  };
  const url = 'http://127.0.0.1:4021/bench';

  // 1. Header decode + validate.
  const [sample] = await makePayments(1, route, server, url, toy);
  const header = encodePaymentSignatureHeader(sample as PaymentPayload);
  const decodeRuns = Number(process.env['BENCH_DECODE_RUNS'] ?? 200_000);
  time(20_000, () => decodePaymentSignatureHeader(header));
  time(20_000, () => officialValidate(officialDecode(header)));
  const ours = time(decodeRuns, () => decodePaymentSignatureHeader(header));
  const theirs = time(decodeRuns, () => officialValidate(officialDecode(header)));
  const theirsNoValidation = time(decodeRuns, () => officialDecode(header));
  print({
    bench: 'header_decode_validate',
    impl: 'x402-rails',
    header_bytes: header.length,
    ops_per_sec: Math.round(decodeRuns / (ours / 1000)),
    us_per_op: usPer(ours, decodeRuns),
  });
  print({
    bench: 'header_decode_validate',
    impl: '@x402/core 2.27.0 (decode + validatePaymentPayload)',
    header_bytes: header.length,
    ops_per_sec: Math.round(decodeRuns / (theirs / 1000)),
    us_per_op: usPer(theirs, decodeRuns),
  });
  print({
    bench: 'header_decode_only',
    impl: '@x402/core 2.27.0 (decode, no validation)',
    ops_per_sec: Math.round(decodeRuns / (theirsNoValidation / 1000)),
    us_per_op: usPer(theirsNoValidation, decodeRuns),
  });

  // 2. Engine overhead per paid request: a warm-up round, then three measured rounds; the median
  //    round is reported.
  const n = 3_000;
  const handler = (_request: Request) => Response.json({ ok: true });
  const warm = await makePayments(500, route, server, url, toy);
  for (const p of warm)
    await server.handle(
      new Request(url, { headers: { 'payment-signature': encodePaymentSignatureHeader(p) } }),
      route,
      handler,
    );

  const rounds: {
    paidUs: number;
    unpaidUs: number;
    railUs: number;
    facilitatorUs: number;
    heapPerRequest: number;
  }[] = [];
  for (let round = 0; round < 4; round++) {
    const paidRequests = (await makePayments(n, route, server, url, toy)).map(
      (p) =>
        new Request(url, { headers: { 'payment-signature': encodePaymentSignatureHeader(p) } }),
    );
    const unpaidRequests = Array.from(
      { length: n },
      () => new Request(url, { headers: { 'payment-signature': header } }),
    );
    const railPayloads = await makePayments(n, route, server, url, toy);
    const facilitatorPayloads = await makePayments(n, route, server, url, toy);
    const requirements = (railPayloads[0] as PaymentPayload).accepted;
    const heapBefore = process.memoryUsage().heapUsed;
    const paidMs = await timeAsync(n, async (i) => {
      const response = await server.handle(paidRequests[i] as Request, route, handler);
      if (response.status !== 200) throw new Error(`paid request ${i} answered ${response.status}`);
    });
    const heapAfter = process.memoryUsage().heapUsed;
    const unpaidMs = await timeAsync(n, async (i) => handler(unpaidRequests[i] as Request));
    const railMs = await timeAsync(n, async (i) => {
      const p = railPayloads[i] as PaymentPayload;
      await toy.facilitator.verify(p, requirements);
      if (!(await toy.facilitator.settle(p, requirements)).success)
        throw new Error('rail settle failed');
    });
    const facilitatorMs = await timeAsync(n, async (i) => {
      const p = facilitatorPayloads[i] as PaymentPayload;
      await facilitator.verify(p, requirements);
      if (!(await facilitator.settle(p, requirements)).success)
        throw new Error('facilitator settle failed');
    });
    if (round === 0) continue; // warm-up: the JIT is still settling
    rounds.push({
      paidUs: usPer(paidMs, n),
      unpaidUs: usPer(unpaidMs, n),
      railUs: usPer(railMs, n),
      facilitatorUs: usPer(facilitatorMs, n),
      heapPerRequest: Math.round((heapAfter - heapBefore) / n),
    });
  }
  const overhead = (r: (typeof rounds)[number]) => r.paidUs - r.unpaidUs - r.facilitatorUs;
  const median = [...rounds].sort(
    (a, b) => overhead(a) - overhead(b),
  )[1] as (typeof rounds)[number];
  print({
    bench: 'paid_request',
    impl: 'x402-rails',
    rail: 'toy (in-process facilitator, memory ledger)',
    requests_per_round: n,
    paid_us_per_request: median.paidUs,
    unpaid_us_per_request: median.unpaidUs,
    rail_verify_settle_us: median.railUs,
    facilitator_verify_settle_us: median.facilitatorUs,
    facilitator_journal_us: Number((median.facilitatorUs - median.railUs).toFixed(2)),
    engine_overhead_us: Number(overhead(median).toFixed(2)),
    engine_overhead_us_all_rounds: rounds.map((r) => Number(overhead(r).toFixed(2))),
    ratio_paid_vs_unpaid: Number((median.paidUs / median.unpaidUs).toFixed(1)),
    heap_growth_bytes_per_request: median.heapPerRequest,
    target_engine_overhead_us: 50,
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
