/**
 * The toy rail's "chain": balances, used nonces, holds and a transfer log, in memory.
 * Every mutation is synchronous, so a check-and-apply can never interleave with another.
 * With a `file`, the state is loaded from it and written back (atomically, by rename) after
 * every change, so it outlives the process, like a real chain outlives its facilitator.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

interface ToyChainState {
  balances: [string, string][];
  usedNonces: string[];
  holds: [string, { from: string; amount: string }][];
  transfers: { id: string; from: string; to: string; amount: string; nonce: string }[];
}

export interface ToyTransferRecord {
  id: string;
  from: string;
  to: string;
  amount: bigint;
  nonce: string;
}

export interface ToyChainOptions {
  /** Persist the chain to this JSON file (loaded when it exists). */
  file?: string;
}

export class ToyChain {
  readonly #balances = new Map<string, bigint>();
  readonly #usedNonces = new Set<string>();
  readonly #holds = new Map<string, { from: string; amount: bigint }>();
  readonly #file: string | undefined;
  readonly transfers: ToyTransferRecord[] = [];

  constructor(options: ToyChainOptions = {}) {
    this.#file = options.file;
    if (this.#file && existsSync(this.#file))
      this.#load(JSON.parse(readFileSync(this.#file, 'utf8')) as ToyChainState);
  }

  #load(state: ToyChainState): void {
    for (const [address, amount] of state.balances) this.#balances.set(address, BigInt(amount));
    for (const nonce of state.usedNonces) this.#usedNonces.add(nonce);
    for (const [key, hold] of state.holds)
      this.#holds.set(key, { from: hold.from, amount: BigInt(hold.amount) });
    for (const t of state.transfers) this.transfers.push({ ...t, amount: BigInt(t.amount) });
  }

  #persist(): void {
    if (!this.#file) return;
    const state: ToyChainState = {
      balances: [...this.#balances].map(([a, v]) => [a, v.toString()]),
      usedNonces: [...this.#usedNonces],
      holds: [...this.#holds].map(([k, h]) => [k, { from: h.from, amount: h.amount.toString() }]),
      transfers: this.transfers.map((t) => ({ ...t, amount: t.amount.toString() })),
    };
    const temp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(state));
    renameSync(temp, this.#file);
  }

  mint(address: string, amount: bigint): void {
    this.#balances.set(address, this.balanceOf(address) + amount);
    this.#persist();
  }

  /** The transfer that used `nonce` of `from`, if any. */
  findTransfer(from: string, nonce: string): ToyTransferRecord | undefined {
    return this.transfers.find((t) => t.from === from && t.nonce === nonce);
  }

  balanceOf(address: string): bigint {
    return this.#balances.get(address) ?? 0n;
  }

  /** Balance minus holds on it. */
  available(address: string): bigint {
    let held = 0n;
    for (const hold of this.#holds.values()) if (hold.from === address) held += hold.amount;
    return this.balanceOf(address) - held;
  }

  isNonceUsed(from: string, nonce: string): boolean {
    return this.#usedNonces.has(`${from}:${nonce}`);
  }

  hasHold(key: string): boolean {
    return this.#holds.has(key);
  }

  placeHold(key: string, from: string, amount: bigint): void {
    this.#holds.set(key, { from, amount });
    this.#persist();
  }

  releaseHold(key: string): boolean {
    const released = this.#holds.delete(key);
    if (released) this.#persist();
    return released;
  }

  /**
   * Applies a transfer if its nonce is unused and funds suffice, atomically. A hold under
   * `holdKey` is consumed by the transfer it reserved funds for.
   */
  transfer(t: {
    from: string;
    to: string;
    amount: bigint;
    nonce: string;
    id: string;
    holdKey?: string;
  }):
    | { ok: true; record: ToyTransferRecord }
    | { ok: false; reason: 'payment_already_used' | 'insufficient_funds' } {
    if (this.isNonceUsed(t.from, t.nonce)) return { ok: false, reason: 'payment_already_used' };
    const held = t.holdKey !== undefined ? this.#holds.get(t.holdKey) : undefined;
    const spendable = this.available(t.from) + (held?.amount ?? 0n);
    if (spendable < t.amount) return { ok: false, reason: 'insufficient_funds' };
    if (t.holdKey !== undefined) this.#holds.delete(t.holdKey);
    this.#usedNonces.add(`${t.from}:${t.nonce}`);
    this.#balances.set(t.from, this.balanceOf(t.from) - t.amount);
    this.#balances.set(t.to, this.balanceOf(t.to) + t.amount);
    const record = { id: t.id, from: t.from, to: t.to, amount: t.amount, nonce: t.nonce };
    this.transfers.push(record);
    this.#persist();
    return { ok: true, record };
  }
}

export function createToyChain(options: ToyChainOptions = {}): ToyChain {
  return new ToyChain(options);
}
