/**
 * The EVM rail (from @x402-rails/evm): the x402 `exact` scheme paid in USDC (or another EIP-3009
 * token) by a signed `transferWithAuthorization`, which this facilitator submits and pays the
 * gas for. Each network names the environment variable holding its RPC URL (RPC URLs often carry
 * an API key); the gas-paying keys come from one variable, comma-separated.
 */
import { parseMoney } from '@x402-rails/core';
import { chainIdOf, EVM_NETWORKS } from '@x402-rails/evm';
import {
  createEvmExactFacilitator,
  type EvmExactFacilitatorOptions,
} from '@x402-rails/evm/facilitator';
import { z } from 'zod';
import { type ConfigSources, envSecret, httpUrlSecret } from '../config/fields.js';
import { defineRail } from './define.js';

type Hex = `0x${string}`;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;
/** The order of secp256k1: a private key is a number in [1, n). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const BUILT_IN = EVM_NETWORKS.map((network) => network.id);

/** The gas-paying keys: comma-separated 0x private keys, each checked, none repeated. */
function signerKeysField(sources: ConfigSources) {
  return envSecret(sources).transform((secret, ctx) => {
    const keys = secret.value
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key !== '');
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (keys.length === 0) problem(`environment variable ${secret.env} holds no keys`);
    const seen = new Map<string, number>();
    keys.forEach((key, index) => {
      const which = `key ${index + 1} in ${secret.env}`;
      if (!PRIVATE_KEY.test(key)) {
        problem(`${which} is not a 0x-prefixed 32-byte hex private key`);
        return;
      }
      const scalar = BigInt(key);
      if (scalar === 0n || scalar >= SECP256K1_N)
        problem(`${which} is not a secp256k1 private key`);
      const first = seen.get(key.toLowerCase());
      // Two senders with one key would race for its transaction nonces.
      if (first !== undefined) problem(`${which} repeats key ${first + 1}`);
      else seen.set(key.toLowerCase(), index);
    });
    return { env: secret.env, keys: keys as Hex[] };
  });
}

const evmNetworkId = z
  .string()
  .refine(
    (id) => chainIdOf(id) !== undefined,
    'must be an EVM network id, eip155:<chainId> (e.g. eip155:8453)',
  )
  .transform((id) => id as `eip155:${number}`);

const usdcSchema = z.strictObject({
  address: z
    .string()
    .regex(ADDRESS, 'must be a 0x-prefixed 20-byte hex address')
    .transform((address) => address as Hex),
  decimals: z.number().int('must be a whole number').min(0, 'must be 0-36').max(36, 'must be 0-36'),
  /** EIP-712 domain: what the token's `name()` and `version()` return. */
  name: z.string().min(1, 'must be the token’s EIP-712 domain name (what name() returns)'),
  version: z.string().min(1, 'must be the token’s EIP-712 domain version'),
  symbol: z.string().min(1, 'must be a symbol').default('USDC'),
});

function networkSchema(sources: ConfigSources) {
  return z
    .strictObject({
      network: evmNetworkId,
      rpcUrlEnv: httpUrlSecret(sources),
      chainId: z.number().int('must be a whole number').positive('must be more than 0').optional(),
      usdc: usdcSchema.optional(),
      blockTimeSeconds: z.number().positive('must be more than 0').max(3600).optional(),
    })
    .superRefine((entry, ctx) => {
      const chainId = chainIdOf(entry.network);
      if (chainId === undefined) return;
      if (entry.chainId !== undefined && entry.chainId !== chainId) {
        ctx.addIssue({
          code: 'custom',
          path: ['chainId'],
          message: `must be ${chainId}, the chain id of ${entry.network}`,
        });
      }
      const builtIn = BUILT_IN.includes(entry.network);
      if (!builtIn && (entry.chainId === undefined || entry.usdc === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['network'],
          message:
            `${entry.network} is not in the built-in EVM network table (${BUILT_IN.join(', ')}):` +
            ' give it in full with chainId and usdc (address, decimals, name, version)',
        });
      }
    });
}

/** Gwei (decimals allowed, e.g. 0.05 on an L2) to wei. */
const gweiField = z
  .number()
  .positive('must be more than 0')
  .transform((gwei, ctx) => {
    try {
      return parseMoney(gwei, 9);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a plain number with at most 9 decimals' });
      return z.NEVER;
    }
  });

export function evmSchema(sources: ConfigSources) {
  return z.strictObject({
    type: z.literal('evm'),
    networks: z
      .array(networkSchema(sources))
      .min(1, 'must list at least one network')
      .superRefine((networks, ctx) => {
        networks.forEach((entry, index) => {
          const first = networks.findIndex((other) => other.network === entry.network);
          if (first !== index) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'network'],
              message: `${entry.network} is already listed at networks[${first}]`,
            });
          }
        });
      }),
    signerKeysEnv: signerKeysField(sources),
    /** Above this fee per gas nothing is sent (`invalid_exact_evm_gas_price_above_ceiling`). */
    gasPriceCeilingGwei: gweiField.optional(),
    confirmations: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1000')
      .optional(),
  });
}

export type EvmRailConfig = z.output<ReturnType<typeof evmSchema>>;

/** The parsed entry as `createEvmExactFacilitator` takes it. */
export function evmFacilitatorOptions(config: EvmRailConfig): EvmExactFacilitatorOptions {
  return {
    networks: config.networks.map((entry) => ({
      id: entry.network,
      rpcUrl: entry.rpcUrlEnv.value,
      ...(entry.usdc ? { usdc: entry.usdc } : {}),
      ...(entry.blockTimeSeconds !== undefined ? { blockTimeSeconds: entry.blockTimeSeconds } : {}),
    })),
    signers: config.signerKeysEnv.keys,
    ...(config.gasPriceCeilingGwei !== undefined
      ? { maxFeePerGas: config.gasPriceCeilingGwei }
      : {}),
    ...(config.confirmations !== undefined ? { confirmations: config.confirmations } : {}),
  };
}

export const evmRail = defineRail({
  type: 'evm',
  schema: evmSchema,
  create: (config) => createEvmExactFacilitator(evmFacilitatorOptions(config)),
  // Addresses only: the keys and the RPC URLs stay in their variables.
  announce: (config, facilitator) => ({
    signers: facilitator.addresses,
    signerKeysEnv: config.signerKeysEnv.env,
    rpcUrlEnv: Object.fromEntries(config.networks.map((n) => [n.network, n.rpcUrlEnv.env])),
  }),
});
