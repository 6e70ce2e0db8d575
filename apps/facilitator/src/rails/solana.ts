/**
 * The Solana rail (from @x402-rails/solana): the x402 `exact` scheme paid in USDC (or another SPL
 * token) by a partially signed `TransferChecked` transaction, which this facilitator co-signs as
 * fee payer and sends. Each network names the environment variable holding its RPC URL; the
 * fee-payer keys come from one variable: comma-separated base58 secret keys, or a solana-keygen
 * JSON array (one key) or an array of them.
 */
import { createSolanaKey, type SolanaKeyInput } from '@x402-rails/solana';
import {
  createSolanaExactFacilitator,
  type SolanaExactFacilitatorOptions,
} from '@x402-rails/solana/facilitator';
import { z } from 'zod';
import { type ConfigSources, envSecret, httpUrlSecret } from '../config/fields.js';
import { defineRail } from './define.js';

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
const NETWORK = /^solana:[1-9A-HJ-NP-Za-km-z]{32}$/;
const BUILT_IN_USDC = new Set([
  'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
  'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
]);

/** The key inputs a variable holds: JSON byte arrays, or comma-separated base58 text. */
function keyInputs(value: string): SolanaKeyInput[] {
  const text = value.trim();
  if (text.startsWith('[')) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.every((item) => typeof item === 'number')
      ? [parsed as number[]]
      : (parsed as number[][]);
  }
  return text
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
}

/** The fee-payer keys, each checked (64-byte keys must match their public half), none repeated. */
function feePayerKeysField(sources: ConfigSources) {
  return envSecret(sources).transform((secret, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message });
    let inputs: SolanaKeyInput[];
    try {
      inputs = keyInputs(secret.value);
    } catch {
      problem(`environment variable ${secret.env} is neither base58 keys nor a JSON key array`);
      return z.NEVER;
    }
    if (inputs.length === 0) problem(`environment variable ${secret.env} holds no keys`);
    const seen = new Map<string, number>();
    const addresses: string[] = [];
    inputs.forEach((input, index) => {
      const which = `key ${index + 1} in ${secret.env}`;
      try {
        const key = createSolanaKey(input);
        const first = seen.get(key.address);
        if (first !== undefined) problem(`${which} repeats key ${first + 1}`);
        else seen.set(key.address, index);
        addresses.push(key.address);
      } catch {
        problem(`${which} is not a Solana secret key (64 bytes, or a 32-byte seed)`);
      }
    });
    return { env: secret.env, keys: inputs, addresses };
  });
}

const usdcSchema = z.strictObject({
  address: z.string().regex(BASE58, 'must be a base58 Solana address'),
  decimals: z
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0-18')
    .max(18, 'must be 0-18')
    .default(6),
  tokenProgram: z
    .enum([
      'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA',
      'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb',
    ])
    .optional(),
  symbol: z.string().min(1, 'must be a symbol').default('USDC'),
});

function networkSchema(sources: ConfigSources) {
  return z.strictObject({
    network: z
      .string()
      .regex(
        NETWORK,
        'must be a Solana network id, solana:<first 32 characters of the genesis hash>',
      ),
    rpcUrlEnv: httpUrlSecret(sources),
    usdc: usdcSchema.optional(),
    /** How often settle polls for confirmation (default 400 ms). */
    pollIntervalMs: z.number().int('must be a whole number').min(1).max(10_000).optional(),
  });
}

export function solanaSchema(sources: ConfigSources) {
  return z.strictObject({
    type: z.literal('solana'),
    networks: z
      .array(networkSchema(sources))
      .min(1, 'must list at least one network')
      .superRefine((networks, ctx) => {
        networks.forEach((entry, index) => {
          const first = networks.findIndex((other) => other.network === entry.network);
          if (first !== index)
            ctx.addIssue({
              code: 'custom',
              path: [index, 'network'],
              message: `${entry.network} is already listed at networks[${first}]`,
            });
          if (!entry.usdc && !BUILT_IN_USDC.has(entry.network))
            ctx.addIssue({
              code: 'custom',
              path: [index, 'usdc'],
              message: `${entry.network} has no built-in USDC: give usdc.address`,
            });
        });
      }),
    feePayerKeysEnv: feePayerKeysField(sources),
    /** Highest compute-unit price accepted, microlamports per unit (default 5,000,000). */
    maxComputeUnitPrice: z.number().int('must be a whole number').min(0).optional(),
    /** Highest compute-unit limit accepted (default 40,000). */
    maxComputeUnitLimit: z.number().int('must be a whole number').min(1).max(1_400_000).optional(),
    commitment: z.enum(['confirmed', 'finalized']).optional(),
    confirmTimeoutSeconds: z.number().positive('must be more than 0').max(600).optional(),
  });
}

export type SolanaRailConfig = z.output<ReturnType<typeof solanaSchema>>;

/** The parsed entry as `createSolanaExactFacilitator` takes it. */
export function solanaFacilitatorOptions(config: SolanaRailConfig): SolanaExactFacilitatorOptions {
  return {
    networks: config.networks.map((entry) => ({
      id: entry.network,
      rpcUrl: entry.rpcUrlEnv.value,
      ...(entry.usdc ? { usdc: entry.usdc } : {}),
      ...(entry.pollIntervalMs !== undefined ? { pollIntervalMs: entry.pollIntervalMs } : {}),
    })),
    signers: config.feePayerKeysEnv.keys,
    ...(config.maxComputeUnitPrice !== undefined
      ? { maxComputeUnitPrice: config.maxComputeUnitPrice }
      : {}),
    ...(config.maxComputeUnitLimit !== undefined
      ? { maxComputeUnitLimit: config.maxComputeUnitLimit }
      : {}),
    ...(config.commitment ? { commitment: config.commitment } : {}),
    ...(config.confirmTimeoutSeconds !== undefined
      ? { confirmTimeoutMs: config.confirmTimeoutSeconds * 1000 }
      : {}),
  };
}

export const solanaRail = defineRail({
  type: 'solana',
  schema: solanaSchema,
  create: (config) => createSolanaExactFacilitator(solanaFacilitatorOptions(config)),
  // Addresses only: the keys and the RPC URLs stay in their variables.
  announce: (config, facilitator) => ({
    signers: facilitator.addresses,
    feePayerKeysEnv: config.feePayerKeysEnv.env,
    rpcUrlEnv: Object.fromEntries(config.networks.map((n) => [n.network, n.rpcUrlEnv.env])),
  }),
});
