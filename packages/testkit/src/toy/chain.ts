/**
 * The toy rail's "chain": balances, used nonces, holds and a transfer log, in memory.
 * Every mutation is synchronous, so a check-and-apply can never interleave with another.
 */
export interface ToyTransferRecord {
  id: string;
  from: string;
  to: string;
  amount: bigint;
  nonce: string;
}

export class ToyChain {
  readonly #balances = new Map<string, bigint>();
  readonly #usedNonces = new Set<string>();
  readonly #holds = new Map<string, { from: string; amount: bigint }>();
  readonly transfers: ToyTransferRecord[] = [];

  mint(address: string, amount: bigint): void {
    this.#balances.set(address, this.balanceOf(address) + amount);
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
  }

  releaseHold(key: string): boolean {
    return this.#holds.delete(key);
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
    return { ok: true, record };
  }
}

export function createToyChain(): ToyChain {
  return new ToyChain();
}
