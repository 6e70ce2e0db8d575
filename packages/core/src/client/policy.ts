/**
 * The client's spending policy: which offers it may pay, in which order, and how much.
 */
import { PaymentRefusedError } from '../errors.js';
import { type NetworkPattern, networkMatches } from '../networks.js';
import type { PaymentRequirements } from '../schemas.js';

/** Limits are keyed `network/asset`, or `asset`, or `*`; the most specific key found applies. */
export type AmountLimits = Readonly<Record<string, string | bigint>>;

export interface SpendingPolicy {
  /**
   * Largest atomic amount one request may pay. When set, an asset with no matching key is refused
   * (there is no implicit "unlimited").
   */
  maxPerRequest?: AmountLimits;
  /** Total atomic amount per asset within a rolling period. Same keys and refusal rule. */
  budget?: { periodMs: number; limits: AmountLimits };
  /** Only these networks (patterns allowed). Default: any network a registered rail can pay. */
  networks?: readonly NetworkPattern[];
  /** Only these assets (compared case-insensitively for hex addresses). */
  assets?: readonly string[];
  /** Preference order; an offer takes the rank of the first rule it matches, unmatched offers come last. */
  prefer?: readonly { scheme?: string; network?: NetworkPattern; asset?: string }[];
  /** Last word on the chosen offer: return false to refuse. */
  confirm?: (requirements: PaymentRequirements) => boolean | Promise<boolean>;
}

const sameAsset = (a: string, b: string) =>
  a === b || (a.startsWith('0x') && a.toLowerCase() === b.toLowerCase());

function limitFor(limits: AmountLimits, req: PaymentRequirements): bigint | undefined {
  const lowerAsset = req.asset.toLowerCase();
  for (const [key, value] of Object.entries(limits)) {
    const slash = key.lastIndexOf('/');
    if (
      slash > 0 &&
      key.slice(0, slash) === req.network &&
      sameAsset(key.slice(slash + 1), req.asset)
    )
      return BigInt(value);
  }
  for (const [key, value] of Object.entries(limits)) {
    if (key === req.asset || key.toLowerCase() === lowerAsset) return BigInt(value);
  }
  const any = limits['*'];
  return any === undefined ? undefined : BigInt(any);
}

export function isAllowed(policy: SpendingPolicy, req: PaymentRequirements): boolean {
  if (policy.networks && !policy.networks.some((p) => networkMatches(p, req.network))) return false;
  if (policy.assets && !policy.assets.some((a) => sameAsset(a, req.asset))) return false;
  return true;
}

export function rankOffers(
  policy: SpendingPolicy,
  offers: readonly PaymentRequirements[],
): PaymentRequirements[] {
  const rules = policy.prefer ?? [];
  const rank = (req: PaymentRequirements) => {
    const index = rules.findIndex(
      (r) =>
        (r.scheme === undefined || r.scheme === req.scheme) &&
        (r.network === undefined || networkMatches(r.network, req.network)) &&
        (r.asset === undefined || sameAsset(r.asset, req.asset)),
    );
    return index === -1 ? rules.length : index;
  };
  return offers
    .map((req, i) => ({ req, i, r: rank(req) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.req);
}

/** Tracks what was spent, per limit key, within the budget period. */
export class SpendingTracker {
  readonly #entries: { at: number; key: string; amount: bigint }[] = [];
  constructor(private readonly now: () => number = Date.now) {}

  static keyOf(req: PaymentRequirements): string {
    return `${req.network}/${req.asset.startsWith('0x') ? req.asset.toLowerCase() : req.asset}`;
  }

  spentWithin(periodMs: number, key: string): bigint {
    const since = this.now() - periodMs;
    let total = 0n;
    for (const e of this.#entries) if (e.at > since && e.key === key) total += e.amount;
    return total;
  }

  /** Records a payment; returns a function that takes it back (the payment did not happen). */
  record(req: PaymentRequirements, keepMs: number): () => void {
    const entry = { at: this.now(), key: SpendingTracker.keyOf(req), amount: BigInt(req.amount) };
    // Entries older than the budget period can never count again.
    const since = entry.at - keepMs;
    while (this.#entries.length > 0 && (this.#entries[0] as { at: number }).at <= since)
      this.#entries.shift();
    this.#entries.push(entry);
    return () => {
      const index = this.#entries.indexOf(entry);
      if (index !== -1) this.#entries.splice(index, 1);
    };
  }
}

/** Why an offer fails the amount limits, or undefined when it passes. */
export function limitViolation(
  policy: SpendingPolicy,
  tracker: SpendingTracker,
  req: PaymentRequirements,
): string | undefined {
  const amount = BigInt(req.amount);
  if (policy.maxPerRequest) {
    const max = limitFor(policy.maxPerRequest, req);
    if (max === undefined)
      return `no per-request limit is configured for ${req.network}/${req.asset}`;
    if (amount > max) return `amount ${amount} exceeds the per-request limit ${max}`;
  }
  if (policy.budget) {
    const limit = limitFor(policy.budget.limits, req);
    if (limit === undefined) return `no budget is configured for ${req.network}/${req.asset}`;
    const spent = tracker.spentWithin(policy.budget.periodMs, SpendingTracker.keyOf(req));
    if (spent + amount > limit)
      return `amount ${amount} would exceed the budget (${spent} of ${limit} spent)`;
  }
  return undefined;
}

export function refuse(
  reason: 'policy_rejected' | 'no_payable_option',
  message: string,
  details: Record<string, unknown>,
): never {
  throw new PaymentRefusedError(reason, { message, details });
}
