/**
 * The facilitator's own record of the authorization holds it placed: what `release`, `status`
 * and the sweeper look up, since Stripe cannot be searched by payment id reliably (its search API
 * is eventually consistent). Keep it in a durable store to release holds across restarts; the
 * memory store forgets them (Stripe then voids uncaptured holds itself after about 7 days).
 */
export interface StripeHold {
  /** The payment id (`acct_...:<client id>`). */
  key: string;
  paymentIntent: string;
  /** Digest of the authorized terms (credential, amount, currency): the same id with others is a clash. */
  terms: string;
  amount: string;
  currency: string;
  /** Milliseconds since the epoch. */
  placedAt: number;
  /** placedAt + the requirements' maxTimeoutSeconds: the sweeper voids open holds past it. */
  expiresAt: number;
  state: 'open' | 'captured' | 'canceled';
}

export interface StripeHoldStore {
  get(key: string): Promise<StripeHold | undefined>;
  /** Inserts or replaces the record of `hold.key`. */
  put(hold: StripeHold): Promise<void>;
  /** Open holds with `expiresAt <= before`, oldest first, at most `limit`. */
  expired(before: number, limit: number): Promise<StripeHold[]>;
}

export function createMemoryHoldStore(): StripeHoldStore {
  const holds = new Map<string, StripeHold>();
  return {
    async get(key) {
      const hold = holds.get(key);
      return hold ? { ...hold } : undefined;
    },
    async put(hold) {
      holds.set(hold.key, { ...hold });
    },
    async expired(before, limit) {
      return [...holds.values()]
        .filter((h) => h.state === 'open' && h.expiresAt <= before)
        .sort((a, b) => a.expiresAt - b.expiresAt)
        .slice(0, limit)
        .map((h) => ({ ...h }));
    },
  };
}
