/**
 * Facilitator settle against Anvil: concurrency (distinct payments pipeline over several keys; one
 * authorization settled five times at once broadcasts once), restart recovery through the
 * settlement journal, receipts that time out (pending, with the hash), the gas-price ceiling,
 * authorizations already used on chain (looked up, not resent), and each wallet kind.
 */
import {
  createMemorySettlementJournal,
  type PaymentPayload,
  type SettleResponse,
  X402Error,
} from '@x402-rails/core';
import { createFacilitator } from '@x402-rails/core/facilitator';
import {
  getAddress,
  type Hex,
  type LocalAccount,
  serializeErc6492Signature,
  toFunctionSelector,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvmExactClient } from '../src/client.js';
import { createHttpRpc, type EvmRpc, type RpcResult, reasonForRevert } from '../src/facilitator.js';
import { EvmReason } from '../src/index.js';
import { type Rig, rig } from './helpers.js';

let r: Rig;
beforeAll(async () => {
  r = await rig({ keys: 3 });
});
afterAll(() => r?.close());

const SELECTOR_VRS = toFunctionSelector(
  'transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)',
);
const SELECTOR_BYTES = toFunctionSelector(
  'transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)',
);

/** Transactions the facilitator keys sent so far (their nonces). */
async function sentByKeys(): Promise<number> {
  const counts = await Promise.all(
    r.keys.map((k) =>
      r.chain.publicClient.getTransactionCount({ address: privateKeyToAccount(k).address }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

async function receiptOf(hash: string) {
  return r.chain.publicClient.getTransactionReceipt({ hash: hash as Hex });
}

function clientAs(from: Hex, signer: Pick<LocalAccount, 'signTypedData'>) {
  return createEvmExactClient({ signer: { address: from, signTypedData: signer.signTypedData } });
}

describe('settle', () => {
  it('settles an EOA payment through the v,r,s overload and checks the Transfer', async () => {
    const payload = await r.pay();
    const before = await r.chain.balanceOf(r.merchant);
    const settled = await r.facilitator.settle(payload, r.requirements);
    expect(settled).toMatchObject({
      success: true,
      network: r.chain.network,
      payer: r.payer.address,
      amount: '10000',
    });
    const tx = await r.chain.publicClient.getTransaction({ hash: settled.transaction as Hex });
    expect(tx.input.slice(0, 10)).toBe(SELECTOR_VRS);
    expect(await r.chain.balanceOf(r.merchant)).toBe(before + 10_000n);
  });

  it('signs its transactions with a viem account as well as with a raw key', async () => {
    const key = generatePrivateKey();
    await r.chain.setEth(privateKeyToAccount(key).address, 10n ** 20n);
    const viaAccount = r.makeFacilitator({ signers: [privateKeyToAccount(key)] });
    const settled = await viaAccount.settle(await r.pay(), r.requirements);
    expect(settled.success).toBe(true);
    const tx = await r.chain.publicClient.getTransaction({ hash: settled.transaction as Hex });
    expect(tx.from).toBe(privateKeyToAccount(key).address.toLowerCase());
  });

  it('20 distinct payments settled concurrently: 20 successes, pipelined over the keys', async () => {
    const before = await r.chain.balanceOf(r.merchant);
    const payloads = await Promise.all(Array.from({ length: 20 }, () => r.pay()));
    const startNonces = await Promise.all(
      r.keys.map((k) =>
        r.chain.publicClient.getTransactionCount({ address: privateKeyToAccount(k).address }),
      ),
    );
    const results = await Promise.all(payloads.map((p) => r.facilitator.settle(p, r.requirements)));
    expect(results.filter((x) => x.success)).toHaveLength(20);
    expect(new Set(results.map((x) => x.transaction)).size).toBe(20);
    expect(await r.chain.balanceOf(r.merchant)).toBe(before + 20n * 10_000n);
    const endNonces = await Promise.all(
      r.keys.map((k) =>
        r.chain.publicClient.getTransactionCount({ address: privateKeyToAccount(k).address }),
      ),
    );
    // Every key took part, and nothing but the 20 transfers was sent.
    const used = endNonces.map((n, i) => n - (startNonces[i] as number));
    expect(used.every((n) => n > 0)).toBe(true);
    expect(used.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('one authorization settled 5 times at once: one transfer, no reverted transaction', async () => {
    const payload = await r.pay();
    const before = { sent: await sentByKeys(), merchant: await r.chain.balanceOf(r.merchant) };
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        r.facilitator.settle(structuredClone(payload), r.requirements),
      ),
    );
    const wins = results.filter((x) => x.success);
    expect(wins).toHaveLength(1);
    expect(results.filter((x) => !x.success).map((x) => x.errorReason)).toEqual(
      Array(4).fill(EvmReason.settlementInProgress),
    );
    expect(await sentByKeys()).toBe(before.sent + 1);
    expect((await receiptOf(wins[0]?.transaction as string)).status).toBe('success');
    expect(await r.chain.balanceOf(r.merchant)).toBe(before.merchant + 10_000n);
  });

  it('…and through two facilitator engines sharing one settlement journal', async () => {
    const journal = createMemorySettlementJournal();
    const a = createFacilitator({ schemes: [r.makeFacilitator()], journal });
    const b = createFacilitator({ schemes: [r.makeFacilitator()], journal });
    const payload = await r.pay();
    const sent = await sentByKeys();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        (i % 2 ? a : b).settle(structuredClone(payload), r.requirements),
      ),
    );
    expect(results.filter((x) => x.success)).toHaveLength(1);
    expect(await sentByKeys()).toBe(sent + 1);
  });

  it('an authorization already used on chain is looked up, not sent again', async () => {
    const payload = await r.pay();
    const first = await r.facilitator.settle(payload, r.requirements);
    const elsewhere = r.makeFacilitator(); // another process: no memory of the first settlement
    const sent = await sentByKeys();
    const again = await elsewhere.settle(payload, r.requirements);
    expect(again).toMatchObject({
      success: false,
      errorReason: EvmReason.nonceUsed,
      transaction: first.transaction,
    });
    expect(await sentByKeys()).toBe(sent);
    expect(await elsewhere.status?.(payload, r.requirements)).toEqual({
      state: 'settled',
      settlement: first,
    });
  });

  it('restart mid-settle: the next facilitator finds the broadcast transfer through the journal', async () => {
    const journal = createMemorySettlementJournal();
    let broadcastHash: string | undefined;
    // The first facilitator dies right after the node accepted its transaction.
    const dying = r.makeFacilitator({
      hooks: {
        afterBroadcast({ transaction }) {
          broadcastHash = transaction;
          throw new Error('process killed');
        },
      },
    });
    // A lease long enough that a busy machine cannot let it lapse between the two settles below.
    const first = createFacilitator({ schemes: [dying], journal, settleLeaseMs: 1_000 });
    const payload = await r.pay();
    const interrupted = await first.settle(payload, r.requirements);
    expect(interrupted.success).toBe(false);
    expect(broadcastHash).toMatch(/^0x[0-9a-f]{64}$/);

    const restarted = createFacilitator({
      schemes: [r.makeFacilitator()],
      journal,
      settleLeaseMs: 1_000,
    });
    // While the lease runs, a retry is told it is in progress and nothing is sent.
    expect((await restarted.settle(payload, r.requirements)).errorReason).toBe(
      'settlement_in_progress',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const sent = await sentByKeys();
    const recovered = await restarted.settle(payload, r.requirements);
    expect(recovered).toMatchObject({ success: true, transaction: broadcastHash });
    expect(await sentByKeys()).toBe(sent);
  });

  it('restart before broadcast: reconcile() finds nothing on chain and settles once', async () => {
    const journal = createMemorySettlementJournal();
    const broken = r.makeFacilitator({
      networks: [
        {
          ...r.facilitatorNetwork,
          rpc: {
            batch: () => Promise.reject(new Error('connection refused')),
            request: () => Promise.reject(new Error('connection refused')),
          },
        },
      ],
    });
    const payload = await r.pay();
    const first = createFacilitator({ schemes: [broken], journal, settleLeaseMs: 30 });
    expect((await first.settle(payload, r.requirements)).success).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const healthy = createFacilitator({
      schemes: [r.makeFacilitator()],
      journal,
      settleLeaseMs: 30,
    });
    const swept = await healthy.reconcile();
    expect(swept).toHaveLength(1);
    expect(swept[0]?.result.success).toBe(true);
    expect(await healthy.settle(payload, r.requirements)).toEqual(swept[0]?.result);
  });

  it('a receipt that does not come in time is reported pending with its hash, then settled', async () => {
    // Sent the classic way (eth_sendRawTransaction), so the node answers before mining.
    const patient = r.makeFacilitator({ receiptTimeoutMs: 200, networks: [classic()] });
    const payload = await r.pay();
    await r.chain.anvil.rpc('evm_setAutomine', [false]);
    let thrown: unknown;
    try {
      await patient.settle(payload, r.requirements);
    } catch (error) {
      thrown = error;
    } finally {
      // status() sees the transaction in the pool as pending
    }
    try {
      expect(thrown).toBeInstanceOf(X402Error);
      const pending = thrown as X402Error;
      expect(pending.code).toBe(EvmReason.settlementPending);
      expect(pending.details['transaction']).toMatch(/^0x[0-9a-f]{64}$/);
      expect(await patient.status?.(payload, r.requirements)).toEqual({ state: 'pending' });
      // A fresh facilitator (after a restart) also says pending: its keys have unmined transactions.
      expect(await r.makeFacilitator().status?.(payload, r.requirements)).toEqual({
        state: 'pending',
      });
      await r.chain.anvil.rpc('evm_mine', []);
      const status = await patient.status?.(payload, r.requirements);
      expect(status).toMatchObject({
        state: 'settled',
        settlement: { success: true, transaction: pending.details['transaction'] },
      });
    } finally {
      await r.chain.anvil.rpc('evm_setAutomine', [true]);
    }
  });

  it('waits for the configured confirmations', async () => {
    const careful = r.makeFacilitator({ confirmations: 3 });
    const payload = await r.pay();
    const before = await sentByKeys();
    let settled: SettleResponse | undefined;
    const pending = careful.settle(payload, r.requirements).then((s) => {
      settled = s;
    });
    // Mine only once the transfer is in (its own block is the first confirmation); mining earlier
    // would add blocks below it that do not count.
    while ((await sentByKeys()) === before) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBeUndefined();
    await r.chain.anvil.rpc('anvil_mine', ['0x2']);
    await pending;
    expect(settled?.success).toBe(true);
  });

  it('sends nothing above the gas-price ceiling', async () => {
    const frugal = r.makeFacilitator({ maxFeePerGas: 1n });
    const sent = await sentByKeys();
    const result = await frugal.settle(await r.pay(), r.requirements);
    expect(result).toMatchObject({ success: false, errorReason: EvmReason.gasPriceTooHigh });
    expect(await sentByKeys()).toBe(sent);
  });

  it('refuses to settle what verify refuses, sending nothing', async () => {
    const sent = await sentByKeys();
    const result = await r.facilitator.settle(await r.pay(), { ...r.requirements, amount: '1' });
    expect(result.errorReason).toBe(EvmReason.valueMismatch);
    expect(await sentByKeys()).toBe(sent);
  });

  it('settles from an EIP-1271 wallet through the bytes overload', async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const wallet = await r.chain.deployContractWallet(owner.address);
    await r.chain.mint(wallet, 1_000_000n);
    const settled = await r.facilitator.settle(
      await r.pay(r.requirements, clientAs(wallet, owner)),
      r.requirements,
    );
    expect(settled).toMatchObject({ success: true, payer: getAddress(wallet) });
    const tx = await r.chain.publicClient.getTransaction({ hash: settled.transaction as Hex });
    expect(tx.input.slice(0, 10)).toBe(SELECTOR_BYTES);
    expect(await r.chain.balanceOf(wallet)).toBe(990_000n);
  });

  it('deploys a counterfactual wallet through its allow-listed factory, then settles', async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const future = await r.chain.counterfactualWallet(owner.address);
    await r.chain.mint(future.address, 1_000_000n);
    const payload = await r.pay(r.requirements, clientAs(future.address, owner));
    const p = payload.payload as { signature: Hex };
    const wrapped: PaymentPayload = {
      ...payload,
      payload: {
        ...p,
        signature: serializeErc6492Signature({
          address: future.factory,
          data: future.factoryCalldata,
          signature: p.signature,
        }),
      },
    };
    const settled = await r.facilitator.settle(wrapped, r.requirements);
    expect(settled).toMatchObject({ success: true, payer: future.address });
    expect(await r.chain.publicClient.getCode({ address: future.address })).toMatch(/^0x.+/);
    expect(await r.chain.balanceOf(future.address)).toBe(990_000n);
  });

  it('two facilitators without a shared journal race: the loser’s revert is mapped and the winner looked up', async () => {
    // Anvil estimates gas against the pending block: had A broadcast before B estimated, B would
    // see the authorization used and never send. So A's broadcast waits for B's estimate.
    const inner = createHttpRpc({ url: r.chain.rpcUrl });
    let estimated!: () => void;
    const bEstimated = new Promise<void>((resolve) => {
      estimated = resolve;
    });
    const isEstimate = (method: string) => method === 'eth_estimateGas';
    const isSend = (method: string) => method.startsWith('eth_sendRawTransaction');
    const aRpc: EvmRpc = {
      request: (method, params) => inner.request(method, params),
      async batch(requests) {
        if (requests.some((q) => isSend(q.method))) await bEstimated;
        return inner.batch(requests);
      },
    };
    const bRpc: EvmRpc = {
      async request<T>(method: string, params?: readonly unknown[]) {
        const result = await inner.request<T>(method, params);
        if (isEstimate(method)) estimated();
        return result;
      },
      async batch(requests) {
        const results = await inner.batch(requests);
        if (requests.some((q) => isEstimate(q.method))) estimated();
        return results;
      },
    };
    const a = r.makeFacilitator({ networks: [{ ...classic(), rpc: aRpc }] });
    const b = createEvmExactFacilitatorWithOtherKeys(bRpc);
    const payload = await r.pay();
    await r.chain.anvil.rpc('evm_setAutomine', [false]);
    try {
      const both = Promise.all([
        a.settle(payload, r.requirements),
        (await b).settle(payload, r.requirements),
      ]);
      // Mine only once both facilitators have broadcast.
      const deadline = Date.now() + 25_000;
      for (;;) {
        const pool = (await r.chain.anvil.rpc('txpool_status', [])) as { pending: string };
        if (Number(pool.pending) >= 2) break;
        if (Date.now() > deadline)
          throw new Error('the two settlements never both reached the mempool');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await r.chain.anvil.rpc('evm_mine', []);
      const results = await both;
      const winner = results.find((x) => x.success);
      const loser = results.find((x) => !x.success);
      expect(winner).toBeDefined();
      expect(loser).toMatchObject({
        errorReason: EvmReason.nonceUsed,
        transaction: winner?.transaction,
      });
    } finally {
      await r.chain.anvil.rpc('evm_setAutomine', [true]);
    }
  });

  it('falls back to eth_sendRawTransaction on a node without eth_sendRawTransactionSync', async () => {
    const inner = createHttpRpc({ url: r.chain.rpcUrl });
    const methods: string[] = [];
    const older: EvmRpc = {
      request: (method, params) => inner.request(method, params),
      async batch(requests) {
        methods.push(...requests.map((q) => q.method));
        return Promise.all(
          requests.map(async (q) =>
            q.method === 'eth_sendRawTransactionSync'
              ? { ok: false as const, error: { code: -32601, message: 'Method not found' } }
              : ((await inner.batch([q]))[0] as RpcResult),
          ),
        );
      },
    };
    const facilitator = r.makeFacilitator({ networks: [{ ...r.facilitatorNetwork, rpc: older }] });
    for (let i = 0; i < 2; i++)
      expect((await facilitator.settle(await r.pay(), r.requirements)).success).toBe(true);
    // Tried once, then never again.
    expect(methods.filter((m) => m === 'eth_sendRawTransactionSync')).toHaveLength(1);
    expect(methods.filter((m) => m === 'eth_sendRawTransaction')).toHaveLength(2);
  });

  it('maps USDC revert strings to reasons', () => {
    const cases: [string, string][] = [
      ['FiatTokenV2: authorization is used or canceled', EvmReason.nonceUsed],
      ['FiatTokenV2: authorization is not yet valid', EvmReason.validAfter],
      ['FiatTokenV2: authorization is expired', EvmReason.validBefore],
      ['FiatTokenV2: invalid signature', EvmReason.signature],
      ["ECRecover: invalid signature 's' value", EvmReason.signature],
      ['ERC20: transfer amount exceeds balance', EvmReason.insufficientFunds],
      ['Blacklistable: account is blacklisted', 'fallback'],
    ];
    for (const [message, reason] of cases)
      expect(reasonForRevert(message, 'fallback')).toBe(reason);
  });
});

/** A facilitator with keys of its own (another operator racing on the same chain). */
async function createEvmExactFacilitatorWithOtherKeys(rpc?: EvmRpc) {
  const key = generatePrivateKey();
  await r.chain.setEth(privateKeyToAccount(key).address, 10n ** 20n);
  return r.makeFacilitator({
    signers: [key],
    networks: [{ ...classic(), ...(rpc ? { rpc } : {}) }],
  });
}

/** The test network without eth_sendRawTransactionSync. */
function classic() {
  return { ...r.facilitatorNetwork, sendRawTransactionSync: false };
}
