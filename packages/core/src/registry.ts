/**
 * A registry of rail roles keyed by scheme and network pattern.
 *
 * Resolution is deterministic: among entries with the requested scheme whose pattern covers the
 * network, an exact network id wins over `namespace:*`, which wins over `*`. Two entries with
 * the same scheme and the same pattern are refused when registered, so there is never a tie.
 */
import { ConfigError } from './errors.js';
import {
  assertNetworkPattern,
  type NetworkPattern,
  networkMatches,
  patternSpecificity,
} from './networks.js';
import type { SchemeIdentity } from './scheme.js';

export class SchemeRegistry<T extends SchemeIdentity> {
  readonly #entries: { pattern: NetworkPattern; item: T }[] = [];
  readonly #cache = new Map<string, T | null>();

  constructor(items: Iterable<T> = []) {
    for (const item of items) this.register(item);
  }

  register(item: T): this {
    if (typeof item.scheme !== 'string' || item.scheme.length === 0) {
      throw new ConfigError('A rail must name its scheme');
    }
    if (item.networks.length === 0)
      throw new ConfigError(`Rail "${item.scheme}" lists no networks`);
    // Validate every pattern before adding any, so a refused rail leaves the registry unchanged.
    const added: { pattern: NetworkPattern; item: T }[] = [];
    for (const pattern of item.networks) {
      assertNetworkPattern(pattern);
      const taken = (e: { pattern: NetworkPattern; item: T }) =>
        e.item.scheme === item.scheme && e.pattern === pattern;
      if (this.#entries.some(taken) || added.some(taken)) {
        throw new ConfigError(`Scheme "${item.scheme}" is already registered for ${pattern}`, {
          scheme: item.scheme,
          network: pattern,
        });
      }
      added.push({ pattern, item });
    }
    this.#entries.push(...added);
    this.#cache.clear();
    return this;
  }

  /** The most specific entry for `(scheme, network)`, or undefined. */
  resolve(scheme: string, network: string): T | undefined {
    const key = `${scheme}\u0000${network}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let best: { pattern: NetworkPattern; item: T } | undefined;
    for (const entry of this.#entries) {
      if (entry.item.scheme !== scheme || !networkMatches(entry.pattern, network)) continue;
      if (!best || patternSpecificity(entry.pattern) > patternSpecificity(best.pattern))
        best = entry;
    }
    // Bounded: only network ids that reached here after schema validation are cached.
    if (this.#cache.size < 4096) this.#cache.set(key, best?.item ?? null);
    return best?.item;
  }

  /** Whether any entry has this scheme (to tell `unsupported_scheme` from `invalid_network`). */
  hasScheme(scheme: string): boolean {
    return this.#entries.some((e) => e.item.scheme === scheme);
  }

  list(): readonly T[] {
    return [...new Set(this.#entries.map((e) => e.item))];
  }
}
