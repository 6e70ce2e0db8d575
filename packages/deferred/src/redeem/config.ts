/**
 * The `x402-rails-redeem` config file (JSON), validated with zod. The signing key is never in the
 * file: it names the environment variable that holds it. The ledger is a module of the operator's
 * that exports a factory (e.g. one building `@x402-rails/store`'s Postgres channel ledger).
 */
import { z } from 'zod';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address is 0x and 40 hex digits');
const amount = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,38})$/, 'an amount is a decimal string of atomic units');

export const redeemConfigSchema = z
  .object({
    /** CAIP-2 network, `eip155:<chainId>`. */
    network: z.string().regex(/^eip155:[1-9][0-9]*$/, 'a network is eip155:<chainId>'),
    rpcUrl: z.url({ protocol: /^https?$/ }),
    escrow: address,
    /** Name of the environment variable holding the redeemer's private key (pays the gas). */
    privateKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name'),
    ledger: z
      .object({
        /** A module path (relative to the config file) or package name. */
        module: z.string().min(1),
        /** Its export: a function (options) => DeferredLedger, sync or async (default `createLedger`). */
        export: z.string().min(1).default('createLedger'),
        /** Passed to the factory as is. */
        options: z.record(z.string(), z.unknown()).default({}),
      })
      .strict(),
    minUnclaimed: amount.optional(),
    minTotal: amount.optional(),
    maxChannels: z.number().int().min(1).max(1000).optional(),
    receiptTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
    /** Run again every this many seconds; without it, run once (for cron). */
    intervalSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict();

export type RedeemConfig = z.infer<typeof redeemConfigSchema>;
