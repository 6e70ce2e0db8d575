import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigFileError } from '../src/config/issues.js';
import { loadConfig, parseConfig } from '../src/config/load.js';
import { createLogger } from '../src/logger.js';
import { evmFacilitatorOptions, evmSchema } from '../src/rails/evm.js';
import { cleanUp, runFacilitator, tempDir, writeConfig } from './helpers.js';

afterEach(cleanUp);

const toy = { type: 'toy', chainFile: 'chain.json' };
const sources = {
  baseDir: '/srv/facilitator',
  env: { TOKEN: 'secret', DB: 'postgres://u:p@db/x' },
};

/** The message `parseConfig` throws for `value`. */
function errorOf(value: unknown, env: Record<string, string> = sources.env): string {
  try {
    parseConfig(value, { ...sources, env }, '/srv/facilitator/config.json');
  } catch (error) {
    if (error instanceof ConfigFileError) return error.message;
    throw error;
  }
  throw new Error('expected a config error');
}

describe('parseConfig', () => {
  it('fills in the documented defaults, resolving paths against the config file', () => {
    const config = parseConfig({ rails: [toy] }, sources, 'config.json');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 4020 });
    expect(config.auth).toBeUndefined();
    expect(config.store).toEqual({ driver: 'pglite', dataDir: '/srv/facilitator/data' });
    expect(config.retention).toEqual({ days: 30, maxAgeMs: 30 * 86_400_000 });
    expect(config.settlement).toEqual({ leaseMs: 120_000, reconcileIntervalMs: 30_000 });
    expect(config.shutdownGraceMs).toBe(30_000);
    expect(config.log).toEqual({ level: 'info' });
    expect(config.rails.map((rail) => rail.type)).toEqual(['toy']);
  });

  it('reads secrets from the environment variables the file names', () => {
    const config = parseConfig(
      {
        listen: { host: '0.0.0.0', port: 0 },
        auth: { bearerTokenEnv: 'TOKEN' },
        store: { driver: 'postgres', urlEnv: 'DB', poolSize: 4 },
        retention: { days: 7 },
        rails: [toy],
      },
      sources,
      'config.json',
    );
    expect(config.auth?.bearerTokenEnv).toEqual({ env: 'TOKEN', value: 'secret' });
    expect(config.store).toEqual({
      driver: 'postgres',
      urlEnv: { env: 'DB', value: 'postgres://u:p@db/x' },
      poolSize: 4,
    });
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 0 });
    expect(config.store.driver === 'pglite' ? config.store.dataDir : 'n/a').toBe('n/a');
  });

  it('names the field of every problem', () => {
    const cases: [unknown, string][] = [
      [{ rails: [{ ...toy, network: 'toy' }] }, 'rails[0].network: must be a CAIP-2 network id'],
      [{ rails: [{ type: 'lightning' }] }, 'rails[0].type: must be one of "toy", "evm"'],
      [{ rails: [{ type: 'toy' }] }, 'rails[0].chainFile: is required'],
      [{ rails: [toy, { ...toy, holds: 'yes' }] }, 'rails[1].holds: must be a boolean'],
      [
        { rails: [{ ...toy, testHooks: { hang: true } }] },
        'rails[0].testHooks.hang: is not a known field',
      ],
      [{ rails: [] }, 'rails: must list at least one rail'],
      [{}, 'rails: is required'],
      [{ rails: [toy], listen: { port: 70_000 } }, 'listen.port: must be 0-65535'],
      [{ rails: [toy], listen: { prot: 1 } }, 'listen.prot: is not a known field'],
      [
        { rails: [toy], store: { driver: 'sqlite' } },
        'store.driver: must be "pglite", "postgres" or "memory"',
      ],
      [
        { rails: [toy], store: { driver: 'postgres', url: 'postgres://x' } },
        'store.url: is not a known field',
      ],
      [{ rails: [toy], retention: { days: 0 } }, 'retention.days: must be more than 0'],
      [
        { rails: [toy], settlement: { leaseMs: 1.5 } },
        'settlement.leaseMs: must be a whole number of milliseconds',
      ],
      [
        { rails: [toy], log: { level: 'loud' } },
        'log.level: must be one of "fatal", "error", "warn"',
      ],
      [
        { rails: [toy], auth: { bearerTokenEnv: 'not a name' } },
        'auth.bearerTokenEnv: must be an environment variable name',
      ],
      [[], '(root): must be an object'],
    ];
    for (const [value, message] of cases) expect(errorOf(value)).toContain(message);
  });

  it('names the field and the variable when a secret is unset or empty', () => {
    const value = {
      auth: { bearerTokenEnv: 'TOKEN' },
      store: { driver: 'postgres', urlEnv: 'DB' },
      rails: [toy],
    };
    const message = errorOf(value, { DB: '' });
    expect(message).toContain('auth.bearerTokenEnv: environment variable TOKEN is unset');
    expect(message).toContain('store.urlEnv: environment variable DB is empty');
  });

  it('reports a missing file and a file that is not JSON with its path', async () => {
    const dir = await tempDir();
    await expect(loadConfig(join(dir, 'nope.json'))).rejects.toThrow(
      `cannot read config ${join(dir, 'nope.json')}: no such file`,
    );
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "rails": [ ');
    await expect(loadConfig(broken)).rejects.toThrow(`config ${broken} is not JSON`);
  });
});

describe('parseConfig: the evm rail', () => {
  const KEY_1 = `0x${'11'.repeat(32)}`;
  const KEY_2 = `0x${'22'.repeat(32)}`;
  /** The addresses of KEY_1 and KEY_2. */
  const ADDRESS_1 = '0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A';
  const ADDRESS_2 = '0x1563915e194D8CfBA1943570603F7606A3115508';
  const env = {
    BASE_RPC_URL: 'https://base.example/v2/secret-api-key',
    LOCAL_RPC_URL: 'http://127.0.0.1:8545',
    EVM_KEYS: ` ${KEY_1},${KEY_2}\n`,
  };
  const evmSources = { baseDir: '/srv/facilitator', env };
  const local = {
    network: 'eip155:31337',
    rpcUrlEnv: 'LOCAL_RPC_URL',
    chainId: 31337,
    usdc: {
      address: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      decimals: 6,
      name: 'USD Coin',
      version: '2',
    },
  };
  const evm = {
    type: 'evm',
    networks: [{ network: 'eip155:8453', rpcUrlEnv: 'BASE_RPC_URL' }, local],
    signerKeysEnv: 'EVM_KEYS',
    gasPriceCeilingGwei: 0.5,
    confirmations: 2,
  };

  it('maps a built-in network and one given in full to the EVM facilitator, secrets from the environment', async () => {
    expect(evmFacilitatorOptions(evmSchema(evmSources).parse(evm))).toEqual({
      networks: [
        { id: 'eip155:8453', rpcUrl: 'https://base.example/v2/secret-api-key' },
        {
          id: 'eip155:31337',
          rpcUrl: 'http://127.0.0.1:8545',
          usdc: { ...local.usdc, symbol: 'USDC' },
        },
      ],
      signers: [KEY_1, KEY_2],
      maxFeePerGas: 500_000_000n,
      confirmations: 2,
    });
    const minimal = { ...evm, gasPriceCeilingGwei: undefined, confirmations: undefined };
    expect(evmFacilitatorOptions(evmSchema(evmSources).parse(minimal))).not.toHaveProperty(
      'maxFeePerGas',
    );

    // Through the whole config: the rail builds (no chain is contacted before the first verify).
    const config = parseConfig(
      { rails: [{ type: 'toy', chainFile: 'c.json' }, evm] },
      evmSources,
      'config.json',
    );
    expect(config.rails.map((rail) => rail.type)).toEqual(['toy', 'evm']);
    const rail = await config.rails[1]?.build({
      field: 'rails[1]',
      logger: createLogger('silent'),
    });
    expect(rail?.networks).toEqual(['eip155:8453', 'eip155:31337']);
    expect(rail?.signers?.()).toEqual({
      'eip155:*': [ADDRESS_1, ADDRESS_2],
    });
  });

  it('names the field of every problem with a network', () => {
    const withNetwork = (network: Record<string, unknown>) => ({
      rails: [{ ...evm, networks: [network] }],
    });
    const cases: [unknown, string][] = [
      [
        withNetwork({ network: 'solana:mainnet', rpcUrlEnv: 'BASE_RPC_URL' }),
        'rails[0].networks[0].network: must be an EVM network id, eip155:<chainId>',
      ],
      [
        withNetwork({ network: 'eip155:0x1', rpcUrlEnv: 'BASE_RPC_URL' }),
        'rails[0].networks[0].network: must be an EVM network id',
      ],
      [
        withNetwork({ network: 'eip155:999999', rpcUrlEnv: 'LOCAL_RPC_URL' }),
        'rails[0].networks[0].network: eip155:999999 is not in the built-in EVM network table',
      ],
      [
        withNetwork({ ...local, usdc: undefined }),
        'give it in full with chainId and usdc (address, decimals, name, version)',
      ],
      [withNetwork({ ...local, chainId: 1 }), 'rails[0].networks[0].chainId: must be 31337'],
      [
        withNetwork({ ...local, usdc: { ...local.usdc, address: '0x1234' } }),
        'rails[0].networks[0].usdc.address: must be a 0x-prefixed 20-byte hex address',
      ],
      [
        withNetwork({ ...local, usdc: { ...local.usdc, version: undefined } }),
        'rails[0].networks[0].usdc.version: is required',
      ],
      [
        withNetwork({ ...local, rpcUrl: 'http://127.0.0.1:8545' }),
        'rails[0].networks[0].rpcUrl: is not a known field',
      ],
      [
        { rails: [{ ...evm, networks: [local, local] }] },
        'rails[0].networks[1].network: eip155:31337 is already listed at networks[0]',
      ],
      [{ rails: [{ ...evm, networks: [] }] }, 'rails[0].networks: must list at least one network'],
      [{ rails: [{ ...evm, confirmations: 0 }] }, 'rails[0].confirmations: must be at least 1'],
      [
        { rails: [{ ...evm, gasPriceCeilingGwei: -1 }] },
        'rails[0].gasPriceCeilingGwei: must be more than 0',
      ],
    ];
    for (const [value, message] of cases) expect(errorOf(value, env)).toContain(message);
  });

  it('names the field and the variable when a secret is unset or unusable, and never prints it', () => {
    const unset = errorOf({ rails: [evm] }, { EVM_KEYS: env.EVM_KEYS });
    expect(unset).toContain(
      'rails[0].networks[0].rpcUrlEnv: environment variable BASE_RPC_URL is unset',
    );
    expect(unset).toContain(
      'rails[0].networks[1].rpcUrlEnv: environment variable LOCAL_RPC_URL is unset',
    );
    expect(errorOf({ rails: [evm] }, { ...env, EVM_KEYS: '' })).toContain(
      'rails[0].signerKeysEnv: environment variable EVM_KEYS is empty',
    );

    const badKeys = errorOf(
      { rails: [evm] },
      { ...env, BASE_RPC_URL: 'wss://base.example/secret', EVM_KEYS: `${KEY_1},0xabc,${KEY_1}` },
    );
    expect(badKeys).toContain(
      'rails[0].networks[0].rpcUrlEnv: environment variable BASE_RPC_URL does not hold an http(s) URL',
    );
    expect(badKeys).toContain(
      'rails[0].signerKeysEnv: key 2 in EVM_KEYS is not a 0x-prefixed 32-byte hex private key',
    );
    expect(badKeys).toContain('rails[0].signerKeysEnv: key 3 in EVM_KEYS repeats key 1');
    expect(badKeys).not.toContain('secret');
    expect(badKeys).not.toContain(KEY_1.slice(2));
  });
});

describe('the CLI with a bad config', () => {
  /** Exit code 2, the message on stderr, no stack trace, nothing started. */
  async function expectConfigError(
    args: string[],
    message: string,
    env: Record<string, string> = {},
  ) {
    const run = await runFacilitator(args, env);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).not.toContain('listening');
    expect(run.code).toBe(2);
  }

  it('exits 2 naming a bad field', async () => {
    const dir = await tempDir();
    const file = await writeConfig(dir, { rails: [{ ...toy, network: 'bad' }] });
    await expectConfigError(['--config', file], 'rails[0].network: must be a CAIP-2 network id');
  });

  it('exits 2 naming the field and an unset environment variable', async () => {
    const dir = await tempDir();
    const variable = `X402_TEST_UNSET_${process.pid}`;
    const file = await writeConfig(dir, { auth: { bearerTokenEnv: variable }, rails: [toy] });
    await expectConfigError(
      ['--config', file],
      `auth.bearerTokenEnv: environment variable ${variable} is unset`,
    );
    await expectConfigError(
      ['--config', file],
      `auth.bearerTokenEnv: environment variable ${variable} is empty`,
      { [variable]: '' },
    );
  });

  it('exits 2 naming the unset RPC variable of an evm rail, before contacting any chain', async () => {
    const dir = await tempDir();
    const variable = `X402_TEST_RPC_${process.pid}`;
    const file = await writeConfig(dir, {
      rails: [
        {
          type: 'evm',
          networks: [{ network: 'eip155:84532', rpcUrlEnv: variable }],
          signerKeysEnv: 'X402_TEST_KEYS',
        },
      ],
    });
    await expectConfigError(
      ['--config', file],
      `rails[0].networks[0].rpcUrlEnv: environment variable ${variable} is unset`,
      { X402_TEST_KEYS: `0x${'11'.repeat(32)}` },
    );
  });

  it('exits 2 naming a missing or non-JSON file', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'missing.json');
    await expectConfigError(['--config', missing], `cannot read config ${missing}: no such file`);
    await expectConfigError(['--config', dir], `cannot read config ${dir}: is a directory`);
    const notJson = join(dir, 'config.yaml');
    await writeFile(notJson, 'rails: []\n');
    await expectConfigError(['--config', notJson], `config ${notJson} is not JSON`);
  });

  it('exits 2 for two rails on one scheme and network, and for bad flags', async () => {
    const dir = await tempDir();
    const file = await writeConfig(dir, {
      store: { driver: 'memory' },
      rails: [toy, { ...toy, chainFile: 'other.json' }],
    });
    await expectConfigError(
      ['--config', file],
      'rails[1]: Scheme "exact" is already registered for toy:local',
    );
    await expectConfigError([], '--config <file> is required');
    await expectConfigError(['--config', file, '--port', 'x'], '--port must be 0-65535');
    await expectConfigError(['--config', file, '--verbose'], "Unknown option '--verbose'");
  });
});
