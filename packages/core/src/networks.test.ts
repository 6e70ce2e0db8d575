import { describe, expect, it } from 'vitest';
import { thrownBy } from '../test/thrown-by.js';
import { ConfigError, X402Error } from './errors.js';
import type { NetworkInfo, NetworkPattern } from './networks.js';
import {
  assertNetworkPattern,
  isNetwork,
  NetworkTable,
  networkMatches,
  parseNetwork,
  patternSpecificity,
} from './networks.js';

function configError(fn: () => unknown): ConfigError {
  const error = thrownBy(fn, ConfigError);
  expect(error.code).toBe('invalid_config');
  return error;
}

const SOLANA_MAINNET = 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp';

describe('isNetwork', () => {
  it.each([
    'eip155:1',
    'eip155:8453',
    'eip155:84532',
    SOLANA_MAINNET,
    'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
    'cosmos:cosmoshub-4',
    'bip122:000000000019d6689c085ae165831e93',
    'abc:x',
    'abcdefgh:1',
    'a-b:ref_with-dash',
    `eip155:${'a'.repeat(32)}`,
  ])('accepts %s', (value) => {
    expect(isNetwork(value)).toBe(true);
  });

  it.each([
    ['no reference', 'eip155'],
    ['empty reference', 'eip155:'],
    ['upper-case namespace', 'EIP155:1'],
    ['namespace too short', 'ab:1'],
    ['namespace too long', 'abcdefghi:1'],
    ['empty namespace', ':1'],
    ['wildcard reference', 'eip155:*'],
    ['star', '*'],
    ['two colons', 'eip155:1:2'],
    ['reference too long', `eip155:${'a'.repeat(33)}`],
    ['space in reference', 'eip155:1 '],
    ['leading space', ' eip155:1'],
    ['trailing newline', 'eip155:1\n'],
    ['dot in reference', 'eip155:1.0'],
    ['underscore in namespace', 'eip_155:1'],
    ['empty', ''],
    ['v1 network name', 'base-sepolia'],
  ])('rejects %s (%j)', (_name, value) => {
    expect(isNetwork(value)).toBe(false);
  });
});

describe('parseNetwork', () => {
  it('splits namespace and reference', () => {
    expect(parseNetwork('eip155:8453')).toEqual({ namespace: 'eip155', reference: '8453' });
    expect(parseNetwork(SOLANA_MAINNET)).toEqual({
      namespace: 'solana',
      reference: '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
    });
    expect(parseNetwork('cosmos:cosmoshub-4')).toEqual({
      namespace: 'cosmos',
      reference: 'cosmoshub-4',
    });
  });

  it.each(['eip155', 'EIP155:1', 'eip155:*', '*', '', 'eip155:1:2'])(
    'throws ConfigError for %j',
    (value) => {
      const error = configError(() => parseNetwork(value));
      expect(error.message).toContain(`"${value}"`);
      expect(error.message).toContain('CAIP-2');
    },
  );
});

describe('assertNetworkPattern', () => {
  it.each([
    'eip155:8453',
    'eip155:*',
    '*',
    SOLANA_MAINNET,
    'solana:*',
    'abc:*',
    'abcdefgh:*',
    'a-b:*',
  ])('accepts %s', (pattern) => {
    expect(() => assertNetworkPattern(pattern)).not.toThrow();
  });

  it.each([
    'eip155',
    'EIP155:1',
    'EIP155:*',
    'ab:1',
    'ab:*',
    ':1',
    ':*',
    'eip155:',
    'eip155:**',
    '**',
    '*:*',
    '*:1',
    'eip155:8*',
    'eip155:*1',
    'abcdefghi:*',
    '',
    ' *',
    '* ',
  ])('throws ConfigError for %j', (pattern) => {
    const error = configError(() => assertNetworkPattern(pattern));
    expect(error.message).toContain(JSON.stringify(pattern));
  });
});

describe('networkMatches', () => {
  it.each([
    ['*', 'eip155:8453', true],
    ['*', SOLANA_MAINNET, true],
    ['eip155:*', 'eip155:8453', true],
    ['eip155:*', 'eip155:1', true],
    ['eip155:*', SOLANA_MAINNET, false],
    ['eip155:*', 'eip1555:1', false],
    ['eip155:*', 'xeip155:1', false],
    ['eip155:*', 'eip155', false],
    ['solana:*', SOLANA_MAINNET, true],
    ['eip155:8453', 'eip155:8453', true],
    ['eip155:8453', 'eip155:84532', false],
    ['eip155:84532', 'eip155:8453', false],
    ['eip155:8453', 'eip155:845', false],
    ['eip155:1', 'EIP155:1', false],
  ] as const)('%s covers %s: %s', (pattern, network, expected) => {
    expect(networkMatches(pattern as NetworkPattern, network)).toBe(expected);
  });
});

describe('patternSpecificity', () => {
  it('ranks an exact id above namespace:* above *', () => {
    expect(patternSpecificity('eip155:8453')).toBe(2);
    expect(patternSpecificity(SOLANA_MAINNET)).toBe(2);
    expect(patternSpecificity('eip155:*')).toBe(1);
    expect(patternSpecificity('*')).toBe(0);
    expect(patternSpecificity('eip155:8453')).toBeGreaterThan(patternSpecificity('eip155:*'));
    expect(patternSpecificity('eip155:*')).toBeGreaterThan(patternSpecificity('*'));
  });
});

describe('NetworkTable', () => {
  const baseSepolia: NetworkInfo = { id: 'eip155:84532', name: 'Base Sepolia', testnet: true };
  const base: NetworkInfo = { id: 'eip155:8453', name: 'Base', testnet: false };
  const solana: NetworkInfo = { id: SOLANA_MAINNET, name: 'Solana', testnet: false };

  it('starts empty', () => {
    const table = new NetworkTable();
    expect(table.list()).toEqual([]);
    expect(table.get('eip155:8453')).toBeUndefined();
  });

  it('adds entries, from the constructor and with chained add()', () => {
    const table = new NetworkTable([baseSepolia]);
    expect(table.add(base).add(solana)).toBe(table);
    expect(table.get('eip155:84532')).toEqual(baseSepolia);
    expect(table.get('eip155:8453')).toEqual(base);
    expect(table.require(SOLANA_MAINNET)).toEqual(solana);
    expect(table.list()).toEqual([baseSepolia, base, solana]);
  });

  it('accepts the same id twice with the same facts', () => {
    const table = new NetworkTable([base]);
    expect(() => table.add({ ...base })).not.toThrow();
    expect(() => new NetworkTable([base, { ...base }, base])).not.toThrow();
    expect(table.list()).toHaveLength(1);
  });

  it('accepts the same facts written in another key order', () => {
    const table = new NetworkTable([base]);
    expect(() => table.add({ testnet: false, name: 'Base', id: 'eip155:8453' })).not.toThrow();
    const nested = new NetworkTable<NetworkInfo & { explorer: { url: string; name: string } }>([
      { ...base, explorer: { url: 'https://basescan.org', name: 'Basescan' } },
    ]);
    expect(() =>
      nested.add({ explorer: { name: 'Basescan', url: 'https://basescan.org' }, ...base }),
    ).not.toThrow();
    expect(() =>
      nested.add({ ...base, explorer: { name: 'Blockscout', url: 'https://basescan.org' } }),
    ).toThrow(ConfigError);
  });

  it.each([
    ['another name', { ...base, name: 'Base Mainnet' }],
    ['another testnet flag', { ...base, testnet: true }],
    ['an extra fact', { ...base, chainId: 8453 }],
  ])('refuses the same id with %s', (_name, entry) => {
    const table = new NetworkTable<NetworkInfo & { chainId?: number }>([base]);
    const error = configError(() => table.add(entry));
    expect(error.message).toContain('eip155:8453');
    expect(error.details).toEqual({ id: 'eip155:8453' });
    // The first entry stays.
    expect(table.get('eip155:8453')).toEqual(base);
  });

  it('refuses an entry whose id is not CAIP-2', () => {
    configError(
      () =>
        new NetworkTable([
          { id: 'base-sepolia' as `${string}:${string}`, name: 'x', testnet: true },
        ]),
    );
    configError(() => new NetworkTable().add({ id: 'eip155:*', name: 'all', testnet: false }));
  });

  it('require() throws a ConfigError that lists the known ids', () => {
    const table = new NetworkTable([base, baseSepolia]);
    const error = configError(() => table.require('eip155:1'));
    expect(error.message).toContain('Unknown network eip155:1');
    expect(error.message).toContain('eip155:8453');
    expect(error.message).toContain('eip155:84532');
    expect(error.message).toContain('known: eip155:8453, eip155:84532');
    expect(error.details).toEqual({ network: 'eip155:1' });
    expect(error).toBeInstanceOf(X402Error);
  });

  it('require() on an empty table says none are known', () => {
    expect(configError(() => new NetworkTable().require('eip155:1')).message).toContain(
      'known: none',
    );
  });

  it('list() filters by pattern, in insertion order', () => {
    const table = new NetworkTable([baseSepolia, solana, base]);
    expect(table.list()).toEqual([baseSepolia, solana, base]);
    expect(table.list('*')).toEqual([baseSepolia, solana, base]);
    expect(table.list('eip155:*')).toEqual([baseSepolia, base]);
    expect(table.list('solana:*')).toEqual([solana]);
    expect(table.list('eip155:8453')).toEqual([base]);
    expect(table.list('cosmos:*')).toEqual([]);
    expect(table.list('eip155:1')).toEqual([]);
  });

  it('keeps extra facts of a rail-specific entry type', () => {
    interface EvmNetwork extends NetworkInfo {
      chainId: number;
    }
    const table = new NetworkTable<EvmNetwork>([{ ...base, chainId: 8453 }]);
    expect(table.require('eip155:8453').chainId).toBe(8453);
  });
});
