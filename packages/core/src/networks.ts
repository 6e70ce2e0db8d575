/**
 * CAIP-2 network ids, patterns (`eip155:*`, `*`) and a network table that rails add entries to.
 */
import { canonicalJson } from './canonical-json.js';
import { ConfigError } from './errors.js';
import { CAIP2_PATTERN, type Network } from './schemas.js';

/** A network id, `namespace:*` for every network of a namespace, or `*` for all. */
export type NetworkPattern = Network | `${string}:*` | '*';

export function isNetwork(value: string): value is Network {
  return CAIP2_PATTERN.test(value);
}

export function parseNetwork(value: string): { namespace: string; reference: string } {
  if (!isNetwork(value))
    throw new ConfigError(`"${value}" is not a CAIP-2 network id (namespace:reference)`);
  const colon = value.indexOf(':');
  return { namespace: value.slice(0, colon), reference: value.slice(colon + 1) };
}

export function assertNetworkPattern(pattern: string): asserts pattern is NetworkPattern {
  if (pattern === '*') return;
  if (pattern.endsWith(':*') && /^[-a-z0-9]{3,8}$/.test(pattern.slice(0, -2))) return;
  if (isNetwork(pattern)) return;
  throw new ConfigError(`"${pattern}" is not a network id or pattern (eip155:8453, eip155:*, *)`);
}

/** Whether `network` is covered by `pattern`. */
export function networkMatches(pattern: NetworkPattern, network: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith(':*')) return network.startsWith(pattern.slice(0, -1));
  return pattern === network;
}

/** Specificity of a pattern: an exact id (2) beats `namespace:*` (1) beats `*` (0). */
export function patternSpecificity(pattern: NetworkPattern): number {
  if (pattern === '*') return 0;
  return pattern.endsWith(':*') ? 1 : 2;
}

export interface NetworkInfo {
  id: Network;
  /** Human name, e.g. "Base Sepolia". */
  name: string;
  testnet: boolean;
}

/**
 * A table of networks a deployment knows. Rails export their entries; a deployment builds one
 * table from the rails it uses. Adding an id twice with different facts is an error.
 */
export class NetworkTable<T extends NetworkInfo = NetworkInfo> {
  readonly #entries = new Map<string, T>();

  constructor(entries: Iterable<T> = []) {
    for (const entry of entries) this.add(entry);
  }

  add(entry: T): this {
    parseNetwork(entry.id);
    const existing = this.#entries.get(entry.id);
    if (existing && canonicalJson(existing) !== canonicalJson(entry)) {
      throw new ConfigError(`Network ${entry.id} is already in the table with other facts`, {
        id: entry.id,
      });
    }
    this.#entries.set(entry.id, entry);
    return this;
  }

  get(id: string): T | undefined {
    return this.#entries.get(id);
  }

  /** The entry for `id`, or a ConfigError naming the known ids. */
  require(id: string): T {
    const entry = this.#entries.get(id);
    if (!entry) {
      throw new ConfigError(
        `Unknown network ${id}; known: ${[...this.#entries.keys()].join(', ') || 'none'}`,
        {
          network: id,
        },
      );
    }
    return entry;
  }

  list(pattern: NetworkPattern = '*'): T[] {
    return [...this.#entries.values()].filter((entry) => networkMatches(pattern, entry.id));
  }
}
