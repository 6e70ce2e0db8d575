/**
 * The deferred rail's request-path cost, printed as one JSON line per figure:
 *   - voucher signature checks per second: ours (native libsecp256k1, and the JS fallback) beside
 *     viem's `verifyTypedData`, which the official server's local check runs;
 *   - vouchers accepted per second, verify + durable store (the facilitator role's verify, which
 *     reserves in the ledger, then settle, which commits), with the memory, PGlite (in memory and
 *     on disk) and Postgres ledgers, beside the official batch-settlement server's hooks
 *     (`@x402/evm` 2.27.0: local verify, reserve, commit in its in-memory channel storage) on the
 *     same vouchers — per second of wall time (`ours`) and per second of this process's CPU time
 *     (`ours_per_cpu_s`, the steadier figure on a shared machine);
 *   - p50/p99 latency a paid request adds through core's `createResourceServer`, memory and PGlite.
 * Escrow reads are answered in process (a funded channel), so no chain is involved: this measures
 * the rail, not an RPC. Postgres: DATABASE_URL, else a throwaway cluster (fsync on), else skipped.
 *
 *   pnpm --filter @x402-rails/deferred bench        (BENCH_SCALE=0.3 for a quick run)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchSettlementEvmScheme,
  InMemoryChannelStorage,
} from '@x402/evm/batch-settlement/server';
import {
  decodePaymentRequiredHeader,
  encodePaymentSignatureHeader,
  type PaymentPayload,
  type PaymentRequirements,
} from '@x402-rails/core';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { createResourceServer } from '@x402-rails/core/server';
import { useRecoveryBackend } from '@x402-rails/evm/crypto';
import { openStore, type Store } from '@x402-rails/store';
import { verifyTypedData } from 'viem';
// The store's throwaway-cluster helper is a test file, not part of its package: reached by path.
import { findPostgresBin, startPostgresCluster } from '../../store/test/postgres-cluster.js';
import { voucherTypes } from '../src/constants.js';
import { createDeferredFacilitator, type DeferredFacilitatorNetwork } from '../src/facilitator.js';
import { createMemoryDeferredLedger, type DeferredLedger } from '../src/ledger.js';
import type { VoucherPayload } from '../src/payload.js';
import { createDeferredServer } from '../src/server.js';
import { escrowEip712Domain, verifyVoucherSignature } from '../src/voucher.js';
import {
  type BenchChannel,
  benchRequirements,
  DOMAIN,
  MERCHANT,
  makeChannels,
  NETWORK,
  PRICE,
  percentile,
  throughput,
  USDC,
} from './fixtures.js';

const scale = Number(process.env['BENCH_SCALE'] ?? 1);
const n = (count: number) => Math.max(20, Math.round(count * scale));
const round = (x: number) => Math.round(x * 10) / 10;
const ms = (x: number) => Math.round(x * 1000) / 1000;
const print = (line: Record<string, unknown>) => console.log(JSON.stringify(line));

/** The escrow as the facilitator reads it: every channel funded, nothing claimed or withdrawing. */
const BALANCE = 10n ** 15n;
const escrowReader = {
  getCode: async () => undefined,
  readContract: async ({ functionName }: { functionName: string }) => {
    if (functionName === 'channels') return [BALANCE, 0n];
    if (functionName === 'pendingWithdrawals') return [0n, 0n];
    throw new Error(`unexpected escrow read ${functionName}`);
  },
} as unknown as NonNullable<DeferredFacilitatorNetwork['client']>;

function facilitatorOn(ledger: DeferredLedger) {
  return createDeferredFacilitator({
    ledger,
    networks: [{ network: NETWORK, escrow: DOMAIN.escrow, client: escrowReader }],
    chainStateTtlMs: 3_600_000,
  });
}

/** Ours: verify (checks + reservation) then settle (commit), as the resource server calls them. */
function oursPay(ledger: DeferredLedger, requirements: PaymentRequirements) {
  const rail = facilitatorOn(ledger);
  return async (payload: PaymentPayload) => {
    const verified = await rail.verify(payload, requirements);
    if (!verified.isValid) throw new Error(`refused: ${verified.invalidReason}`);
    const settled = await rail.settle(payload, requirements);
    if (!settled.success) throw new Error(`not settled: ${settled.errorReason}`);
  };
}

/**
 * The official server on the same work: its beforeVerify (channel binding, cumulative check,
 * local signature check with viem), afterVerify (reservation) and beforeSettle (commit) hooks,
 * on channels whose escrow state it holds fresh (so no facilitator call is made).
 */
async function officialPay(channels: readonly BenchChannel[], requirements: PaymentRequirements) {
  const storage = new InMemoryChannelStorage();
  const scheme = new BatchSettlementEvmScheme(MERCHANT, {
    storage,
    onchainStateTtlMs: 3_600_000,
    withdrawDelay: 86_400,
  });
  const now = Date.now();
  for (const channel of channels) {
    await storage.updateChannel(channel.channelId, () => ({
      channelId: channel.channelId,
      channelConfig: channel.config,
      chargedCumulativeAmount: '0',
      signedMaxClaimable: '0',
      signature: '0x',
      balance: BALANCE.toString(),
      totalClaimed: '0',
      withdrawRequestedAt: 0,
      refundNonce: 0,
      onchainSyncedAt: now,
      lastRequestTimestamp: now,
    }));
  }
  type Hook = (
    ctx: never,
  ) => Promise<
    { abort?: boolean; reason?: string; skip?: boolean; result?: { isValid?: boolean } } | undefined
  >;
  const hooks = scheme.schemeHooks as unknown as Record<string, Hook>;
  const call = (name: string, ctx: object) => (hooks[name] as Hook)(ctx as never);
  return async (payload: PaymentPayload) => {
    const ctx = { paymentPayload: payload, requirements };
    const before = await call('onBeforeVerify', ctx);
    if (!before?.skip || !before.result?.isValid) {
      throw new Error(`official refused: ${JSON.stringify(before)}`);
    }
    const after = await call('onAfterVerify', { ...ctx, result: before.result });
    if (after?.abort) throw new Error(`official reservation: ${after.reason}`);
    const settle = await call('onBeforeSettle', ctx);
    if (!settle?.skip) throw new Error(`official commit: ${JSON.stringify(settle)}`);
  };
}

function signatureChecks(channels: readonly BenchChannel[]) {
  const payloads = channels.flatMap((c) => c.payloads.map((p) => p.payload as VoucherPayload));
  const timeIt = (check: (p: VoucherPayload) => boolean) => {
    const started = performance.now();
    for (const p of payloads) if (!check(p)) throw new Error('a bench voucher failed to verify');
    return (payloads.length * 1000) / (performance.now() - started);
  };
  const ours = (p: VoucherPayload) =>
    verifyVoucherSignature({ config: p.channelConfig, voucher: p.voucher, domain: DOMAIN }).ok;
  useRecoveryBackend('native');
  const native = timeIt(ours);
  useRecoveryBackend('js');
  const js = timeIt(ours);
  useRecoveryBackend(undefined);
  return { native, js, count: payloads.length };
}

async function viemChecks(channels: readonly BenchChannel[]) {
  const payloads = channels.flatMap((c) => c.payloads.map((p) => p.payload as VoucherPayload));
  const domain = escrowEip712Domain(DOMAIN);
  const started = performance.now();
  for (const p of payloads) {
    const ok = await verifyTypedData({
      address: p.channelConfig.payerAuthorizer,
      domain,
      types: voucherTypes,
      primaryType: 'Voucher',
      message: {
        channelId: p.voucher.channelId,
        maxClaimableAmount: BigInt(p.voucher.maxClaimableAmount),
      },
      signature: p.voucher.signature,
    });
    if (!ok) throw new Error('viem refused a bench voucher');
  }
  return (payloads.length * 1000) / (performance.now() - started);
}

/** p50/p99 of a paid request through createResourceServer, and of the bare handler. */
async function latency(ledger: DeferredLedger, store: Store | undefined, requests: number) {
  const rail = facilitatorOn(ledger);
  const server = createResourceServer({
    facilitator: createFacilitator({
      schemes: [rail],
      ...(store ? { journal: store.settlements } : {}),
    }),
    schemes: [
      createDeferredServer({ networks: [{ network: NETWORK, asset: USDC }], channels: rail }),
    ],
    ...(store ? { ledger: store.payments } : {}),
  });
  const route = {
    accepts: { scheme: 'batch-settlement', network: NETWORK, price: '$0.001', payTo: MERCHANT },
  };
  const handler = () => Response.json({ ok: true });
  const url = 'http://127.0.0.1/paid';
  const unpaid = await server.handle(new Request(url), route, handler);
  const header = unpaid.headers.get('PAYMENT-REQUIRED');
  if (unpaid.status !== 402 || !header) throw new Error(`expected a 402, got ${unpaid.status}`);
  const requirements = decodePaymentRequiredHeader(header).accepts[0] as PaymentRequirements;
  if (requirements.amount !== PRICE.toString()) throw new Error('unexpected price');
  const warmup = Math.min(200, Math.round(requests / 5));
  const channels = makeChannels(1, requests + warmup, requirements);
  const paid: number[] = [];
  const bare: number[] = [];
  for (const [i, payload] of (channels[0] as BenchChannel).payloads.entries()) {
    const request = new Request(url, {
      headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
    });
    const t0 = performance.now();
    const response = await server.handle(request, route, handler);
    const t1 = performance.now();
    if (response.status !== 200) {
      throw new Error(`paid request ${i}: ${response.status} ${await response.text()}`);
    }
    await handler().text();
    const t2 = performance.now();
    if (i >= warmup) {
      paid.push(t1 - t0);
      bare.push(t2 - t1);
    }
  }
  paid.sort((a, b) => a - b);
  bare.sort((a, b) => a - b);
  return {
    p50_ms: ms(percentile(paid, 50)),
    p99_ms: ms(percentile(paid, 99)),
    handler_p50_ms: ms(percentile(bare, 50)),
    count: paid.length,
  };
}

/** The ledger alone: reserve then commit, per voucher, `concurrency` channels at a time. */
async function ledgerPairs(
  ledger: DeferredLedger,
  channels: readonly BenchChannel[],
  concurrency: number,
) {
  return throughput(channels, concurrency, async (payload) => {
    const { channelConfig: config, voucher } = payload.payload as VoucherPayload;
    const cumulative = BigInt(voucher.maxClaimableAmount);
    const now = Date.now();
    const pendingId = `${voucher.channelId}:${cumulative}`;
    const reserved = await ledger.reserve({
      channel: {
        channelId: voucher.channelId,
        network: NETWORK,
        escrow: DOMAIN.escrow,
        asset: config.token,
        payer: config.payer,
        receiver: config.receiver,
        config,
      },
      expectedCharged: cumulative - PRICE,
      voucher: { maxClaimableAmount: cumulative, signature: voucher.signature },
      pendingId,
      expiresAt: now + 60_000,
      now,
    });
    if (!reserved.reserved) throw new Error(`ledger refused: ${reserved.reason}`);
    if (!(await ledger.commit(pendingId, now)).committed) throw new Error('ledger did not commit');
  });
}

async function postgresUrl(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  if (process.env['DATABASE_URL'])
    return { url: process.env['DATABASE_URL'], stop: async () => {} };
  if (!findPostgresBin()) return undefined;
  return startPostgresCluster({ fast: false, database: 'x402_deferred_bench' });
}

async function main() {
  const requirements = benchRequirements();
  const perChannel = 50;
  const channelsFor = (total: number) =>
    makeChannels(Math.ceil(total / perChannel), perChannel, requirements);
  // The figures scale with a free core: say how busy the machine was.
  print({
    scale,
    price: PRICE.toString(),
    network: NETWORK,
    vouchers_per_channel: perChannel,
    cores: availableParallelism(),
    load_average: loadavg().map((x) => round(x)),
  });

  const sig = signatureChecks(channelsFor(n(10_000)));
  const viem = await viemChecks(channelsFor(n(1_000)));
  print({
    metric: 'voucher_signature_checks_per_s',
    ours_native: round(sig.native),
    ours_js: round(sig.js),
    viem: round(viem),
    ratio: round(sig.native / viem),
  });

  const memoryPairs = await ledgerPairs(createMemoryDeferredLedger(), channelsFor(n(20_000)), 1);
  const memoryRate = await throughput(
    channelsFor(n(20_000)),
    1,
    oursPay(createMemoryDeferredLedger(), requirements),
  );
  const officialChannels = channelsFor(n(2_000));
  const officialRate = await throughput(
    officialChannels,
    1,
    await officialPay(officialChannels, requirements),
  );
  print({
    metric: 'vouchers_accepted_per_s',
    ledger: 'memory',
    concurrency: 1,
    ours: round(memoryRate.wall),
    ours_per_cpu_s: round(memoryRate.cpu),
    ledger_reserve_commit_only: round(memoryPairs.wall),
    official_in_memory: round(officialRate.wall),
    ratio: round(memoryRate.wall / officialRate.wall),
    goal: '>= 10000/s on one core',
  });

  const dataDir = await mkdtemp(join(tmpdir(), 'x402-deferred-bench-'));
  const pg = await postgresUrl();
  const configs = [
    { name: 'pglite (in memory)', config: { driver: 'pglite' as const } },
    { name: 'pglite (on disk)', config: { driver: 'pglite' as const, dataDir } },
    ...(pg
      ? [{ name: 'postgres', config: { driver: 'postgres' as const, url: pg.url, poolSize: 16 } }]
      : []),
  ];
  try {
    for (const { name, config } of configs) {
      for (const concurrency of [1, 16]) {
        const store = await openStore(config);
        try {
          const ledger = store.deferredLedger as DeferredLedger;
          const pairs = await ledgerPairs(
            ledger,
            channelsFor(n(concurrency === 1 ? 2_000 : 4_000)),
            concurrency,
          );
          const rate = await throughput(
            channelsFor(n(concurrency === 1 ? 3_000 : 6_000)),
            concurrency,
            oursPay(ledger, requirements),
          );
          print({
            metric: 'vouchers_accepted_per_s',
            ledger: name,
            concurrency,
            ours: round(rate.wall),
            ours_per_cpu_s: round(rate.cpu),
            ledger_reserve_commit_only: round(pairs.wall),
            ...(name.startsWith('pglite') ? { goal: '>= 2000/s' } : {}),
          });
        } finally {
          await store.close();
        }
      }
    }
    if (!pg)
      print({
        metric: 'vouchers_accepted_per_s',
        ledger: 'postgres',
        skipped: 'no DATABASE_URL and no initdb',
      });

    const memory = await latency(createMemoryDeferredLedger(), undefined, n(2_000));
    print({
      metric: 'paid_request_latency',
      ledgers: 'memory (deferred ledger, payment ledger, settlement journal)',
      ...memory,
    });
    const embedded = await openStore({ driver: 'pglite', dataDir: join(dataDir, 'latency') });
    try {
      // What the rail itself adds: its channel ledger on disk, core's journals in memory (a
      // deferred-only server can run so: the channel's compare-and-swap already refuses a replay).
      const railOnly = await latency(
        embedded.deferredLedger as DeferredLedger,
        undefined,
        n(2_000),
      );
      print({
        metric: 'paid_request_latency',
        ledgers: 'deferred ledger pglite on disk; payment ledger, settlement journal in memory',
        ...railOnly,
        goal: 'p99 < 2 ms',
      });
      const figures = await latency(embedded.deferredLedger as DeferredLedger, embedded, n(2_000));
      print({
        metric: 'paid_request_latency',
        ledgers: 'pglite on disk (all three)',
        ...figures,
        goal: 'p99 < 2 ms',
      });
    } finally {
      await embedded.close();
    }
  } finally {
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
