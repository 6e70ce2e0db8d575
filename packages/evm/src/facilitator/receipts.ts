/**
 * One receipt poller per network, however many settlements wait: every interval it asks for all
 * awaited receipts (and the head, when confirmations are wanted) in one JSON-RPC batch.
 */
import type { EvmRpc } from '../rpc.js';

export interface ReceiptLog {
  address: string;
  topics: string[];
  data: string;
}

export interface TransactionReceipt {
  transactionHash: string;
  status: string;
  blockNumber: string;
  logs: ReceiptLog[];
}

interface Waiter {
  hash: string;
  confirmations: number;
  deadline: number;
  resolve(receipt: TransactionReceipt | undefined): void;
  reject(error: unknown): void;
}

export class ReceiptWatcher {
  readonly #rpc: EvmRpc;
  readonly #intervalMs: number;
  #waiters: Waiter[] = [];
  #running = false;

  constructor(rpc: EvmRpc, intervalMs: number) {
    this.#rpc = rpc;
    this.#intervalMs = intervalMs;
  }

  /** The receipt once it has `confirmations` blocks, or undefined when `timeoutMs` passes first. */
  wait(
    hash: string,
    confirmations: number,
    timeoutMs: number,
  ): Promise<TransactionReceipt | undefined> {
    return new Promise((resolve, reject) => {
      this.#waiters.push({
        hash,
        confirmations: Math.max(1, confirmations),
        deadline: Date.now() + timeoutMs,
        resolve,
        reject,
      });
      if (!this.#running) {
        this.#running = true;
        void this.#loop();
      }
    });
  }

  async #loop(): Promise<void> {
    let failures = 0;
    while (this.#waiters.length > 0) {
      const waiters = this.#waiters;
      const hashes = [...new Set(waiters.map((w) => w.hash))];
      const needHead = waiters.some((w) => w.confirmations > 1);
      try {
        const results = await this.#rpc.batch([
          ...hashes.map((hash) => ({ method: 'eth_getTransactionReceipt', params: [hash] })),
          ...(needHead ? [{ method: 'eth_blockNumber', params: [] }] : []),
        ]);
        failures = 0;
        const head = needHead ? results[hashes.length] : undefined;
        const headNumber = head?.ok ? BigInt(head.value as string) : undefined;
        const receipts = new Map<string, TransactionReceipt>();
        hashes.forEach((hash, i) => {
          const r = results[i];
          if (r?.ok && r.value) receipts.set(hash, r.value as TransactionReceipt);
        });
        const now = Date.now();
        this.#waiters = this.#waiters.filter((w) => {
          const receipt = receipts.get(w.hash);
          if (receipt) {
            const depth =
              headNumber === undefined ? 1n : headNumber - BigInt(receipt.blockNumber) + 1n;
            if (depth >= BigInt(w.confirmations)) {
              w.resolve(receipt);
              return false;
            }
          }
          if (now >= w.deadline) {
            w.resolve(undefined);
            return false;
          }
          return true;
        });
      } catch (error) {
        // A flaky RPC is retried until each waiter's deadline; after many failures in a row, give up.
        if (++failures >= 20) {
          for (const w of this.#waiters.splice(0)) w.reject(error);
          break;
        }
        const now = Date.now();
        this.#waiters = this.#waiters.filter((w) => {
          if (now < w.deadline) return true;
          w.resolve(undefined);
          return false;
        });
      }
      if (this.#waiters.length > 0) await new Promise((r) => setTimeout(r, this.#intervalMs));
    }
    this.#running = false;
  }
}
