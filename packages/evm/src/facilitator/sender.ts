/**
 * Sends the facilitator's transactions: several keys, each with its own nonce counter, so
 * settlements pipeline — a key is held only while its transaction is signed and handed to the
 * node, never while the receipt is awaited. A nonce the node rejects resynchronises the counter.
 */
import { type Hex, hexToBytes, type LocalAccount, serializeTransaction } from 'viem';
import { toHex } from '../eip3009.js';
import { keccak256 } from '../keccak.js';
import { signHashNative } from '../recover.js';
import { type EvmRpc, RpcError, unwrap } from '../rpc.js';
import type { TransactionReceipt } from './receipts.js';

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  /** What a transaction pays now at most (base fee + tip): compared with the ceiling. */
  current: bigint;
}

export interface SendRequest {
  to: Hex;
  data: Hex;
  gas: bigint;
  fees: Fees;
}

export interface Sent {
  hash: Hex;
  from: Hex;
  /** The receipt, when the node had mined the transaction by the time it answered (automine). */
  receipt?: TransactionReceipt;
  /** The node's answer was lost (transport error): the transaction may or may not be out. */
  uncertain?: boolean;
}

/** A facilitator key: a viem account, and its private key when given as one (for native signing). */
export interface SigningKey {
  account: LocalAccount;
  privateKey?: Hex;
}

class KeyState {
  nonce: number | undefined;
  inflight = 0;
  #tail: Promise<unknown> = Promise.resolve();
  readonly account: LocalAccount;
  readonly privateKey: Uint8Array | undefined;
  constructor(key: SigningKey) {
    this.account = key.account;
    this.privateKey = key.privateKey ? hexToBytes(key.privateKey) : undefined;
  }

  /** Runs `task` after every earlier task of this key. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => {});
    return run;
  }
}

const NONCE_PROBLEM =
  /nonce too low|nonce.*(is )?too (low|high)|invalid nonce|replacement transaction underpriced|already imported/i;
const METHOD_MISSING =
  /method .*(not found|not supported|does not exist|unavailable)|unknown method/i;
const SYNC_TIMEOUT = /timed? ?out|not (yet )?(processed|included)/i;
const ALREADY_KNOWN = /already known|known transaction|already in (the )?(mempool|pool)/i;

export class TransactionSender {
  readonly #rpc: EvmRpc;
  readonly #chainId: number;
  readonly #keys: KeyState[];

  #sync: boolean;

  /**
   * `sync`: send with `eth_sendRawTransactionSync` (EIP-7966), which answers with the receipt —
   * one round trip less per settlement on nodes that include transactions at once (Anvil, dev
   * nodes). The key stays held until the node answers, so leave it off where blocks take seconds.
   * A node without the method is detected and the rail falls back to `eth_sendRawTransaction`.
   */
  constructor(rpc: EvmRpc, chainId: number, keys: readonly SigningKey[], sync = false) {
    this.#rpc = rpc;
    this.#chainId = chainId;
    this.#keys = keys.map((k) => new KeyState(k));
    this.#sync = sync;
  }

  get addresses(): Hex[] {
    return this.#keys.map((k) => k.account.address);
  }

  /**
   * Reserves the key with the fewest settlements under way (ties: the first); `release` when the
   * settlement no longer needs it. Reserving at once spreads a burst of settlements over the keys.
   */
  acquire(): { account: LocalAccount; release(): void } {
    let best = this.#keys[0] as KeyState;
    for (const key of this.#keys) if (key.inflight < best.inflight) best = key;
    best.inflight++;
    let released = false;
    return {
      account: best.account,
      release: () => {
        if (!released) best.inflight--;
        released = true;
      },
    };
  }

  /**
   * Signs and broadcasts with `from` (one of the keys). Resolves once the node accepted the
   * transaction (or once its answer was lost: `uncertain`).
   */
  async send(from: LocalAccount, request: SendRequest): Promise<Sent> {
    const key = this.#keys.find((k) => k.account.address === from.address);
    if (!key) throw new Error(`${from.address} is not a facilitator key`);
    return key.exclusive(() => this.#sendLocked(key, request));
  }

  async #sendLocked(key: KeyState, request: SendRequest): Promise<Sent> {
    for (let attempt = 0; ; attempt++) {
      if (key.nonce === undefined) {
        key.nonce = Number(
          await this.#rpc.request<string>('eth_getTransactionCount', [
            key.account.address,
            'pending',
          ]),
        );
      }
      const raw = await this.#sign(key, request);
      const hash = toHex(keccak256(hexToBytes(raw)));
      const method = this.#sync ? 'eth_sendRawTransactionSync' : 'eth_sendRawTransaction';
      let answer: Awaited<ReturnType<EvmRpc['batch']>>[number] | undefined;
      try {
        [answer] = await this.#rpc.batch([{ method, params: [raw] }]);
      } catch {
        // No answer: it may have arrived. Re-read the nonce before the next send.
        key.nonce = undefined;
        return { hash, from: key.account.address, uncertain: true };
      }
      if (answer?.ok) {
        key.nonce++;
        const receipt =
          this.#sync && answer.value && typeof answer.value === 'object'
            ? (answer.value as TransactionReceipt)
            : undefined;
        return { hash, from: key.account.address, ...(receipt ? { receipt } : {}) };
      }
      const error = new RpcError(answer?.error ?? { code: -1, message: 'no answer' }, method);
      if (this.#sync && (error.code === -32601 || METHOD_MISSING.test(error.message))) {
        this.#sync = false;
        continue;
      }
      if (this.#sync && (error.code === 4 || SYNC_TIMEOUT.test(error.message))) {
        // Accepted, not yet included: the receipt is polled.
        key.nonce++;
        return { hash, from: key.account.address };
      }
      if (ALREADY_KNOWN.test(error.message)) {
        key.nonce++;
        return { hash, from: key.account.address };
      }
      key.nonce = undefined;
      if (NONCE_PROBLEM.test(error.message) && attempt < 3) continue;
      throw error;
    }
  }

  /** Signs natively when the private key is known and libsecp256k1 loaded, else with viem. */
  async #sign(key: KeyState, request: SendRequest): Promise<Hex> {
    const tx = {
      type: 'eip1559' as const,
      chainId: this.#chainId,
      nonce: key.nonce as number,
      to: request.to,
      data: request.data,
      gas: request.gas,
      maxFeePerGas: request.fees.maxFeePerGas,
      maxPriorityFeePerGas: request.fees.maxPriorityFeePerGas,
    };
    if (key.privateKey) {
      const digest = keccak256(hexToBytes(serializeTransaction(tx)));
      const signature = signHashNative(digest, key.privateKey);
      if (signature) {
        return serializeTransaction(tx, {
          r: toHex(signature.r),
          s: toHex(signature.s),
          yParity: signature.yParity,
        });
      }
    }
    const signTransaction = key.account.signTransaction;
    if (!signTransaction) throw new Error(`${key.account.address} cannot sign transactions`);
    return signTransaction(tx);
  }

  /** Whether any key has transactions the node holds but has not mined (after a crash: unknown ones). */
  async hasUnminedTransactions(): Promise<boolean> {
    const results = await this.#rpc.batch(
      this.#keys.flatMap((k) => [
        { method: 'eth_getTransactionCount', params: [k.account.address, 'pending'] },
        { method: 'eth_getTransactionCount', params: [k.account.address, 'latest'] },
      ]),
    );
    for (let i = 0; i < results.length; i += 2) {
      const pending = BigInt(unwrap<string>(results[i], 'eth_getTransactionCount'));
      const latest = BigInt(unwrap<string>(results[i + 1], 'eth_getTransactionCount'));
      if (pending > latest) return true;
    }
    return false;
  }
}

/** Fee requests for one JSON-RPC batch, and their reading. */
export const feeRequests = [
  { method: 'eth_getBlockByNumber', params: ['latest', false] },
  { method: 'eth_maxPriorityFeePerGas', params: [] },
] as const;

export function readFees(
  block: { baseFeePerGas?: string } | null,
  tip: string | undefined,
): Omit<Fees, 'current'> & { baseFee: bigint } {
  const baseFee = BigInt(block?.baseFeePerGas ?? '0x0');
  const priority = tip !== undefined ? BigInt(tip) : 1_000_000n;
  return { baseFee, maxPriorityFeePerGas: priority, maxFeePerGas: baseFee * 2n + priority };
}
