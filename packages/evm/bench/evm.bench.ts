/**
 * This rail against the official @x402/evm on the same work, in the same run, against one Anvil:
 * signatures created, off-chain verifications, full verifications and settlements (sequential and
 * pipelined) per second. Prints one JSON line per figure with the ratio ours / official.
 *
 *   pnpm --filter @x402-rails/evm bench        (BENCH_SCALE=0.3 for a quick run)
 */

import type { PaymentPayload as OfficialPayload } from '@x402/core/types';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { ExactEvmScheme as OfficialClient } from '@x402/evm/exact/client';
import { ExactEvmScheme as OfficialFacilitator } from '@x402/evm/exact/facilitator';
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import { startEvmTestChain, TEST_USDC } from '@x402-rails/testkit/anvil';
import { type Hex, nonceManager, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createEvmExactClient } from '../src/client.js';
import { createEvmExactFacilitator, useRecoveryBackend } from '../src/facilitator.js';
import { createEvmExactServer } from '../src/server.js';
import { createOfficialFacilitator } from '../test/official-facilitator.js';

const scale = Number(process.env['BENCH_SCALE'] ?? 1);
const n = (count: number) => Math.max(10, Math.round(count * scale));

function line(metric: string, ours: number, official: number, extra: Record<string, unknown> = {}) {
  const round = (x: number) => Math.round(x * 10) / 10;
  console.log(
    JSON.stringify({
      metric,
      ours: round(ours),
      official: round(official),
      ratio: round(ours / official),
      ...extra,
    }),
  );
}

/** Operations per second of `op` run `count` times with `concurrency` in flight. */
async function rate(
  count: number,
  concurrency: number,
  op: (i: number) => Promise<unknown> | unknown,
) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

const chain = await startEvmTestChain();
try {
  const asset = { ...TEST_USDC, address: chain.token };
  const network = { id: chain.network, name: 'Anvil', blockTimeSeconds: 1, usdc: asset };
  const server = createEvmExactServer({ networks: [network] });
  const merchant = (await chain.newWallet()).address;
  const payer = await chain.newWallet({ usdc: 10n ** 15n });
  const requirements: PaymentRequirements = await server.requirements({
    scheme: 'exact',
    network: chain.network,
    price: { money: '$0.001' },
    payTo: merchant,
    maxTimeoutSeconds: 600,
    request: new Request('http://127.0.0.1/bench'),
  });
  const resource = { url: 'http://127.0.0.1/bench' };
  const ourClient = createEvmExactClient({ signer: payer.account });
  const officialClient = new OfficialClient(payer.account);

  const fundedKey = async () => {
    const key = generatePrivateKey();
    await chain.setEth(privateKeyToAccount(key).address, parseEther('1000'));
    return key;
  };
  // Anvil mines on arrival: our recommended local configuration sends with
  // eth_sendRawTransactionSync (EIP-7966, the receipt in the answer); `classic` is without it.
  const ours = (keys: Hex[], sync = true) =>
    createEvmExactFacilitator({
      networks: [
        { ...network, rpcUrl: chain.rpcUrl, pollingIntervalMs: 5, sendRawTransactionSync: sync },
      ],
      signers: keys,
    });
  const official = async () =>
    createOfficialFacilitator(chain, privateKeyToAccount(await fundedKey(), { nonceManager }));
  const payload = async (): Promise<PaymentPayload> => ({
    x402Version: 2,
    resource,
    accepted: requirements,
    payload: (await ourClient.create({ requirements, resource })).payload,
  });
  const payloads = async (count: number) => {
    const list: PaymentPayload[] = [];
    for (let i = 0; i < count; i++) list.push(await payload());
    return list;
  };
  console.error(`# anvil ${chain.rpcUrl}; scale ${scale}`);

  // 1. Signatures created per second (one payer key, sequential).
  {
    const count = n(2000);
    await rate(100, 1, () => ourClient.create({ requirements, resource }));
    await rate(50, 1, () => officialClient.createPaymentPayload(2, requirements as never));
    const a = await rate(count, 1, () => ourClient.create({ requirements, resource }));
    const b = await rate(count, 1, () =>
      officialClient.createPaymentPayload(2, requirements as never),
    );
    line('signatures_created_per_s', a, b, { count });
  }

  // 2. Off-chain verifications per second on one core: everything but the chain reads.
  {
    const list = await payloads(n(3000));
    const facilitator = ours([generatePrivateKey()]);
    // The official verify with the chain stubbed: the payer has no code, the asset has some, the
    // simulation passes — what remains is its own work (typed-data hashing, JS recovery, checks).
    const stub = new OfficialFacilitator(
      toFacilitatorEvmSigner({
        address: merchant,
        readContract: async () => undefined,
        verifyTypedData: async () => true,
        writeContract: async () => '0x',
        sendTransaction: async () => '0x',
        waitForTransactionReceipt: async () => ({ status: 'success' }),
        getCode: async ({ address }) =>
          address.toLowerCase() === chain.token.toLowerCase() ? '0x60' : '0x',
      }),
    );
    const verifyOurs = (i: number) => {
      const p = list[i % list.length] as PaymentPayload;
      if (!facilitator.verifyOffchain(p, requirements).isValid) throw new Error('ours: invalid');
    };
    const verifyOfficial = async (i: number) => {
      const p = list[i % list.length] as OfficialPayload;
      if (!(await stub.verify(p, p.accepted)).isValid) throw new Error('official: invalid');
    };
    await rate(2000, 1, verifyOurs);
    await rate(100, 1, verifyOfficial);
    const a = await rate(n(60_000), 1, verifyOurs);
    const b = await rate(n(1500), 1, verifyOfficial);
    useRecoveryBackend('js');
    const js = await rate(n(1500), 1, verifyOurs);
    useRecoveryBackend(undefined);
    line('offchain_verify_per_s', a, b, {
      goal: '>= 15000/s and >= 20x',
      js_fallback: Math.round(js),
    });
  }

  // 3. Full verifications per second against Anvil (sequential and 16 in flight).
  {
    const list = await payloads(n(1500));
    const facilitator = ours([generatePrivateKey()]);
    const theirs = await official();
    const verifyOurs = async (i: number) => {
      const p = list[i % list.length] as PaymentPayload;
      if (!(await facilitator.verify(p, requirements)).isValid) throw new Error('ours: invalid');
    };
    const verifyOfficial = async (i: number) => {
      const p = list[i % list.length] as OfficialPayload;
      const result = await theirs.verify(p, p.accepted);
      if (!result.isValid) throw new Error(`official: ${result.invalidReason}`);
    };
    await rate(50, 4, verifyOurs);
    await rate(50, 4, verifyOfficial);
    for (const concurrency of [1, 16]) {
      const a = await rate(n(concurrency === 1 ? 500 : 1500), concurrency, verifyOurs);
      const b = await rate(n(concurrency === 1 ? 200 : 400), concurrency, verifyOfficial);
      line(`full_verify_per_s_c${concurrency}`, a, b, { goal: '>= 3x' });
    }
  }

  // 4. Settlements per second against Anvil (automine), sequential and 32 in flight. Anvil slows
  // down as blocks pile up, so every series runs on a fresh node; best of two alternating rounds,
  // so a burst of load on this shared machine does not decide a ratio.
  {
    type Kind = 'ours' | 'classic' | 'four' | 'official';
    const measure = async (kind: Kind, count: number, concurrency: number) => {
      const fresh = await startEvmTestChain();
      try {
        const net = { ...network, id: fresh.network, usdc: { ...asset, address: fresh.token } };
        const req = await createEvmExactServer({ networks: [net] }).requirements({
          scheme: 'exact',
          network: fresh.network,
          price: { money: '$0.001' },
          payTo: merchant,
          maxTimeoutSeconds: 600,
          request: new Request(resource.url),
        });
        const who = await fresh.newWallet({ usdc: 10n ** 12n });
        const client = createEvmExactClient({ signer: who.account });
        const key = async () => {
          const k = generatePrivateKey();
          await fresh.setEth(privateKeyToAccount(k).address, parseEther('1000'));
          return k;
        };
        const mine = (keys: Hex[], sync: boolean) =>
          createEvmExactFacilitator({
            networks: [
              { ...net, rpcUrl: fresh.rpcUrl, pollingIntervalMs: 5, sendRawTransactionSync: sync },
            ],
            signers: keys,
          });
        let facilitator: {
          settle(p: never, r: never): Promise<{ success: boolean; errorReason?: string }>;
        };
        if (kind === 'official') {
          facilitator = createOfficialFacilitator(
            fresh,
            privateKeyToAccount(await key(), { nonceManager }),
          );
        } else if (kind === 'four') {
          facilitator = mine(await Promise.all([1, 2, 3, 4].map(key)), true);
        } else {
          facilitator = mine([await key()], kind === 'ours');
        }
        const list: PaymentPayload[] = [];
        for (let i = 0; i < count; i++) {
          const created = await client.create({ requirements: req, resource });
          list.push({ x402Version: 2, resource, accepted: req, payload: created.payload });
        }
        return await rate(count, concurrency, async (i) => {
          const p = list[i] as PaymentPayload;
          const result = await facilitator.settle(p as never, p.accepted as never);
          if (!result.success) throw new Error(`${kind}: settle failed: ${result.errorReason}`);
        });
      } finally {
        await fresh.stop();
      }
    };
    for (const concurrency of [1, 32]) {
      const count = n(concurrency === 1 ? 200 : 400);
      const kinds: Kind[] =
        concurrency > 1 ? ['ours', 'official', 'classic', 'four'] : ['ours', 'official', 'classic'];
      const best: Record<Kind, number> = { ours: 0, official: 0, classic: 0, four: 0 };
      for (let round = 0; round < 2; round++) {
        for (const kind of kinds)
          best[kind] = Math.max(best[kind], await measure(kind, count, concurrency));
      }
      line(`settlements_per_s_c${concurrency}`, best.ours, best.official, {
        goal: '>= 3x',
        keys: 1,
        ours_classic_send: Math.round(best.classic),
        ...(concurrency > 1 ? { ours_4_keys: Math.round(best.four) } : {}),
      });
    }
  }
} finally {
  await chain.stop();
}
