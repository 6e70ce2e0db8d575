import { describe, expect, it } from 'vitest';
import { thrownBy } from '../test/thrown-by.js';
import { ConfigError } from './errors.js';
import type { NetworkPattern } from './networks.js';
import { SchemeRegistry } from './registry.js';

interface Rail {
  readonly scheme: string;
  readonly networks: readonly NetworkPattern[];
  readonly label: string;
}

const rail = (label: string, scheme: string, ...networks: NetworkPattern[]): Rail => ({
  scheme,
  networks,
  label,
});

function configError(fn: () => unknown): ConfigError {
  const error = thrownBy(fn, ConfigError);
  expect(error.code).toBe('invalid_config');
  return error;
}

/** Every order of a small array. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('SchemeRegistry resolution', () => {
  const exact = rail('exact-base', 'exact', 'eip155:8453');
  const namespace = rail('exact-evm', 'exact', 'eip155:*');
  const anywhere = rail('exact-any', 'exact', '*');

  it.each(
    permutations([exact, namespace, anywhere]).map((order) => [
      order.map((r) => r.label).join(', '),
      order,
    ]),
  )('exact id beats ns:* beats * when registered as %s', (_name, order) => {
    const registry = new SchemeRegistry<Rail>(order);
    expect(registry.resolve('exact', 'eip155:8453')?.label).toBe('exact-base');
    expect(registry.resolve('exact', 'eip155:84532')?.label).toBe('exact-evm');
    expect(registry.resolve('exact', 'eip155:1')?.label).toBe('exact-evm');
    expect(registry.resolve('exact', 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp')?.label).toBe(
      'exact-any',
    );
  });

  it('ns:* beats * in either order', () => {
    for (const order of permutations([namespace, anywhere])) {
      const registry = new SchemeRegistry<Rail>(order);
      expect(registry.resolve('exact', 'eip155:8453')?.label).toBe('exact-evm');
    }
  });

  it('a later, more specific registration replaces a cached resolution', () => {
    const registry = new SchemeRegistry<Rail>([anywhere]);
    expect(registry.resolve('exact', 'eip155:8453')?.label).toBe('exact-any');
    registry.register(namespace);
    expect(registry.resolve('exact', 'eip155:8453')?.label).toBe('exact-evm');
    registry.register(exact);
    expect(registry.resolve('exact', 'eip155:8453')?.label).toBe('exact-base');
  });

  it('a cached miss becomes a hit after registration', () => {
    const registry = new SchemeRegistry<Rail>();
    expect(registry.resolve('exact', 'eip155:8453')).toBeUndefined();
    registry.register(exact);
    expect(registry.resolve('exact', 'eip155:8453')).toBe(exact);
  });

  it('returns the registered object itself', () => {
    const registry = new SchemeRegistry<Rail>([exact]);
    expect(registry.resolve('exact', 'eip155:8453')).toBe(exact);
    // Cached path returns the same object.
    expect(registry.resolve('exact', 'eip155:8453')).toBe(exact);
  });

  it('returns undefined for an unknown scheme or an uncovered network', () => {
    const registry = new SchemeRegistry<Rail>([exact, rail('sol', 'exact', 'solana:*')]);
    expect(registry.resolve('upto', 'eip155:8453')).toBeUndefined();
    expect(registry.resolve('exact', 'eip155:1')).toBeUndefined();
    expect(registry.resolve('exact', 'cosmos:cosmoshub-4')).toBeUndefined();
    expect(registry.resolve('', 'eip155:8453')).toBeUndefined();
    expect(registry.resolve('EXACT', 'eip155:8453')).toBeUndefined();
  });

  it('keeps different schemes on one network independent', () => {
    const exactEvm = rail('exact-evm', 'exact', 'eip155:*');
    const uptoBase = rail('upto-base', 'upto', 'eip155:8453');
    const deferredAny = rail('deferred-any', 'deferred', '*');
    const registry = new SchemeRegistry<Rail>([uptoBase, exactEvm, deferredAny]);
    // The exact-id upto rail does not shadow the exact scheme's namespace rail.
    expect(registry.resolve('exact', 'eip155:8453')?.label).toBe('exact-evm');
    expect(registry.resolve('upto', 'eip155:8453')?.label).toBe('upto-base');
    expect(registry.resolve('upto', 'eip155:84532')).toBeUndefined();
    expect(registry.resolve('deferred', 'eip155:8453')?.label).toBe('deferred-any');
    // The same pattern under different schemes is allowed.
    expect(() => registry.register(rail('upto-evm', 'upto', 'eip155:*'))).not.toThrow();
    expect(registry.resolve('upto', 'eip155:84532')?.label).toBe('upto-evm');
    expect(registry.resolve('upto', 'eip155:8453')?.label).toBe('upto-base');
  });

  it('one rail can serve several patterns', () => {
    const multi = rail('multi', 'exact', 'eip155:8453', 'eip155:84532', 'solana:*');
    const registry = new SchemeRegistry<Rail>([multi, rail('evm', 'exact', 'eip155:*')]);
    expect(registry.resolve('exact', 'eip155:8453')).toBe(multi);
    expect(registry.resolve('exact', 'eip155:84532')).toBe(multi);
    expect(registry.resolve('exact', 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp')).toBe(multi);
    expect(registry.resolve('exact', 'eip155:1')?.label).toBe('evm');
  });
});

describe('SchemeRegistry registration', () => {
  it('refuses the same scheme and pattern twice, even from another object', () => {
    const registry = new SchemeRegistry<Rail>([rail('a', 'exact', 'eip155:*')]);
    const error = configError(() => registry.register(rail('b', 'exact', 'eip155:*')));
    expect(error.message).toContain('"exact"');
    expect(error.message).toContain('eip155:*');
    expect(error.details).toEqual({ scheme: 'exact', network: 'eip155:*' });
    expect(registry.resolve('exact', 'eip155:1')?.label).toBe('a');
  });

  it('refuses duplicates for each kind of pattern', () => {
    for (const pattern of ['eip155:8453', 'eip155:*', '*'] as const) {
      configError(
        () => new SchemeRegistry<Rail>([rail('a', 'exact', pattern), rail('b', 'exact', pattern)]),
      );
    }
  });

  it('refuses a rail that lists one pattern twice', () => {
    configError(() => new SchemeRegistry<Rail>([rail('a', 'exact', 'eip155:1', 'eip155:1')]));
  });

  it('refuses a rail without networks', () => {
    const error = configError(() => new SchemeRegistry<Rail>().register(rail('a', 'exact')));
    expect(error.message).toContain('lists no networks');
  });

  it('refuses a rail without a scheme name', () => {
    configError(() => new SchemeRegistry<Rail>().register(rail('a', '', 'eip155:1')));
    configError(() =>
      new SchemeRegistry<Rail>().register({
        networks: ['eip155:1'],
        label: 'x',
      } as unknown as Rail),
    );
  });

  it.each(['eip155', 'EIP155:1', 'eip155:**', 'ab:*', ''])(
    'refuses the invalid pattern %j',
    (pattern) => {
      configError(() =>
        new SchemeRegistry<Rail>().register(rail('a', 'exact', pattern as NetworkPattern)),
      );
    },
  );

  it('leaves the registry unchanged when a rail is refused part-way through its networks', () => {
    const evm = rail('evm', 'exact', 'eip155:*');
    const registry = new SchemeRegistry<Rail>([evm]);
    expect(registry.resolve('exact', 'eip155:1')).toBe(evm); // cached
    // First pattern is fine, second is invalid: nothing of this rail may be registered.
    configError(() =>
      registry.register(rail('partial', 'exact', 'eip155:1', 'not a pattern' as NetworkPattern)),
    );
    // First pattern is fine, second duplicates an existing entry.
    configError(() => registry.register(rail('dup', 'other', 'solana:*', 'solana:*')));
    expect(registry.list()).toEqual([evm]);
    expect(registry.hasScheme('other')).toBe(false);
    expect(registry.resolve('exact', 'eip155:1')).toBe(evm);
    // A later successful registration (which clears the cache) must not reveal a half-registered rail.
    registry.register(rail('unrelated', 'upto', '*'));
    expect(registry.resolve('exact', 'eip155:1')).toBe(evm);
    expect(registry.resolve('other', 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp')).toBeUndefined();
    // And the refused patterns can still be registered properly afterwards.
    expect(() => registry.register(rail('base-one', 'exact', 'eip155:1'))).not.toThrow();
    expect(registry.resolve('exact', 'eip155:1')?.label).toBe('base-one');
  });

  it('register() returns the registry for chaining', () => {
    const registry = new SchemeRegistry<Rail>();
    expect(registry.register(rail('a', 'exact', '*'))).toBe(registry);
  });
});

describe('SchemeRegistry queries', () => {
  it('hasScheme tells a known scheme from an unknown one, whatever the network', () => {
    const registry = new SchemeRegistry<Rail>([rail('a', 'exact', 'eip155:8453')]);
    expect(registry.hasScheme('exact')).toBe(true);
    expect(registry.hasScheme('upto')).toBe(false);
    expect(registry.hasScheme('')).toBe(false);
    expect(new SchemeRegistry<Rail>().hasScheme('exact')).toBe(false);
  });

  it('list() gives each registered rail once, in registration order', () => {
    const multi = rail('multi', 'exact', 'eip155:8453', 'eip155:84532', 'solana:*');
    const upto = rail('upto', 'upto', '*');
    const registry = new SchemeRegistry<Rail>([multi, upto]);
    expect(registry.list()).toEqual([multi, upto]);
    expect(registry.list()).toHaveLength(2);
    expect(new SchemeRegistry<Rail>().list()).toEqual([]);
  });

  it('list() returns a copy', () => {
    const registry = new SchemeRegistry<Rail>([rail('a', 'exact', '*')]);
    (registry.list() as Rail[]).push(rail('b', 'upto', '*'));
    expect(registry.list()).toHaveLength(1);
  });

  it('resolves correctly past the cache bound', () => {
    const registry = new SchemeRegistry<Rail>([
      rail('evm', 'exact', 'eip155:*'),
      rail('one', 'exact', 'eip155:1'),
    ]);
    for (let i = 2; i < 5000; i++)
      expect(registry.resolve('exact', `eip155:${i}`)?.label).toBe('evm');
    expect(registry.resolve('exact', 'eip155:1')?.label).toBe('one');
    expect(registry.resolve('exact', 'eip155:99999')?.label).toBe('evm');
  });
});
