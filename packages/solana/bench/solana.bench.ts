/**
 * This rail against the official @x402/svm on the same work, in the same run: verifications and
 * settlements per second, sequential and with 16 in flight, both in process (the JSON-RPC answered
 * by LiteSVM without a socket) and over the local JSON-RPC server on 127.0.0.1. Both facilitators
 * get the same payloads (made by our client) on a local chain posing as devnet (the official RPC
 * helpers accept only the public networks). Prints one JSON line per figure with the ratio.
 *
 *   pnpm --filter @x402-rails/solana bench        (BENCH_SCALE=0.3 for a quick run)
 */

import { createKeyPairSignerFromBytes, createSolanaRpcFromTransport } from '@solana/kit';
import type { PaymentPayload as OfficialPayload } from '@x402/core/types';
import { toFacilitatorSvmSigner } from '@x402/svm';
import { ExactSvmScheme as OfficialFacilitator } from '@x402/svm/exact/facilitator';
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import {
  DEVNET_GENESIS_HASH,
  DEVNET_USDC,
  type SolanaTestChain,
  startSolanaTestChain,
} from '@x402-rails/testkit/solana';
import { createSolanaExactClient } from '../src/client.js';
import { createHttpRpc, createSolanaExactFacilitator } from '../src/facilitator.js';
import { defineSolanaNetwork } from '../src/index.js';
import { createSolanaExactServer } from '../src/server.js';

const scale = Number(process.env['BENCH_SCALE'] ?? 1);
const n = (count: number) => Math.max(10, Math.round(count * scale));
const resource = { url: 'http://127.0.0.1/bench' };

function line(metric: string, ours: number, official: number) {
  const round = (x: number) => Math.round(x * 10) / 10;
  console.log(
    JSON.stringify({
      metric,
      ours: round(ours),
      official: round(official),
      ratio: round(ours / official),
    }),
  );
}

/** Operations per second of `op` run `count` times with `concurrency` in flight. */
async function rate(count: number, concurrency: number, op: (i: number) => Promise<unknown>) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

type Facilitator = {
  verify(p: never, r: never): Promise<{ isValid: boolean; invalidReason?: string }>;
  settle(p: never, r: never): Promise<{ success: boolean; errorReason?: string }>;
};

interface Setup {
  chain: SolanaTestChain;
  requirements: PaymentRequirements;
  payments(count: number): Promise<PaymentPayload[]>;
  ours: Facilitator;
  official: Facilitator;
}

async function setup(inProcess: boolean): Promise<Setup> {
  const chain = await startSolanaTestChain({
    genesisHash: DEVNET_GENESIS_HASH,
    usdcAt: DEVNET_USDC,
  });
  const network = defineSolanaNetwork({
    genesisHash: chain.genesisHash,
    rpcUrl: chain.rpcUrl,
    usdc: chain.usdc,
  });
  const payer = await chain.newWallet({ usdc: 10n ** 15n });
  const merchant = await chain.newWallet({ usdc: 0n });
  const feePayer = await chain.newWallet({ sol: 10n ** 13n });
  const fetchImpl = inProcess ? chain.fetch : fetch;
  const rpc = createHttpRpc(chain.rpcUrl, { fetch: fetchImpl });
  const requirements = await createSolanaExactServer({
    networks: [network],
    feePayer: feePayer.address,
  }).requirements({
    scheme: 'exact',
    network: network.id,
    price: { money: '$0.001' },
    payTo: merchant.address,
    maxTimeoutSeconds: 60,
    request: new Request(resource.url),
  });
  const client = createSolanaExactClient({ signer: payer.secretKey, networks: [network], rpc });
  const ours = createSolanaExactFacilitator({
    networks: [{ ...network, rpc, pollIntervalMs: 1 }],
    signers: [feePayer.secretKey],
  });
  const kitRpc = createSolanaRpcFromTransport(async ({ payload }) => {
    const body = JSON.stringify(payload, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
    const response = await fetchImpl(chain.rpcUrl, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    return response.json();
  });
  const official = new OfficialFacilitator(
    toFacilitatorSvmSigner(await createKeyPairSignerFromBytes(feePayer.secretKey), {
      [network.id]: kitRpc,
    } as never),
  );
  return {
    chain,
    requirements,
    ours: ours as unknown as Facilitator,
    official: official as unknown as Facilitator,
    async payments(count) {
      const list: PaymentPayload[] = [];
      for (let i = 0; i < count; i++) {
        const created = await client.create({ requirements, resource });
        list.push({ x402Version: 2, resource, accepted: requirements, payload: created.payload });
      }
      return list;
    },
  };
}

const quiet = console.error;
for (const inProcess of [true, false]) {
  const where = inProcess ? 'in_process' : 'local_rpc';
  const s = await setup(inProcess);
  try {
    const sample = await s.payments(1);
    const p = sample[0] as PaymentPayload;
    for (const [name, f] of [
      ['ours', s.ours],
      ['official', s.official],
    ] as const) {
      const v = await f.verify(p as never, s.requirements as never);
      if (!v.isValid)
        throw new Error(`${name} refuses the sample: ${v.invalidReason} ${JSON.stringify(v)}`);
    }
    for (const concurrency of [1, 16]) {
      const count = n(concurrency === 1 ? 500 : 1000);
      const verifyWith = (f: Facilitator) =>
        rate(count, concurrency, async () => {
          const v = await f.verify(p as never, s.requirements as never);
          if (!v.isValid) throw new Error(`verify failed: ${v.invalidReason}`);
        });
      // Warm up both, then take the best of two rounds each.
      await verifyWith(s.ours);
      await verifyWith(s.official);
      let ours = 0;
      let official = 0;
      for (let round = 0; round < 2; round++) {
        ours = Math.max(ours, await verifyWith(s.ours));
        official = Math.max(official, await verifyWith(s.official));
      }
      line(`verifications_per_s_${where}_c${concurrency}`, ours, official);
    }
    for (const concurrency of [1, 16]) {
      const count = n(concurrency === 1 ? 300 : 600);
      const settleWith = async (f: Facilitator) => {
        const list = await s.payments(count);
        return rate(count, concurrency, async (i) => {
          const q = list[i] as OfficialPayload;
          const result = await f.settle(q as never, s.requirements as never);
          if (!result.success) throw new Error(`settle failed: ${result.errorReason}`);
        });
      };
      let ours = 0;
      let official = 0;
      for (let round = 0; round < 2; round++) {
        ours = Math.max(ours, await settleWith(s.ours));
        console.error = () => {};
        try {
          official = Math.max(official, await settleWith(s.official));
        } finally {
          console.error = quiet;
        }
      }
      line(`settlements_per_s_${where}_c${concurrency}`, ours, official);
    }
  } finally {
    await s.chain.close();
  }
}
