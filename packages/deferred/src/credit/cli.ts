/**
 * `x402-rails-redeem` in credit mode (`"mode": "credit"` in the config): `redeemCredit` once or on
 * an interval, printing one JSON line per buyer. The Stripe secret key is read from the named
 * environment variable, never from the file; the store is the operator's module, exporting a
 * factory that returns `{ ledger, accounts, charges }` (e.g. from `@x402-rails/store`'s `openStore`).
 */
import type { CreditAccounts, CreditCharges } from '@x402-rails/store';
import Stripe from 'stripe';
import { z } from 'zod';
import type { DeferredLedger, Hex } from '../ledger/types.js';
import {
  fromFactory,
  parseConfig,
  type RedeemCliIo,
  runRepeatedly,
  UsageError,
} from '../redeem/cli-support.js';
import { type CreditRedemptionReport, redeemCredit } from './redeem.js';

export const creditRedeemConfigSchema = z
  .object({
    mode: z.literal('credit'),
    /** `credit:<ledger-name>`, as the facilitator serves it. */
    network: z.string().regex(/^credit:[-_a-zA-Z0-9]{1,32}$/, 'a network is credit:<ledger-name>'),
    ledgerAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address is 0x and 40 hex digits'),
    /** Name of the environment variable holding the Stripe secret key. */
    stripeSecretKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name'),
    /** Where Stripe is (default api.stripe.com; a test double in tests). */
    stripe: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65_535),
        protocol: z.enum(['http', 'https']),
      })
      .strict()
      .optional(),
    store: z
      .object({
        module: z.string().min(1),
        /** A function (options) => { ledger, accounts, charges }, sync or async. */
        export: z.string().min(1).default('createCreditStore'),
        options: z.record(z.string(), z.unknown()).default({}),
      })
      .strict(),
    intervalSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict();

interface CreditStoreParts {
  ledger: DeferredLedger;
  accounts: CreditAccounts;
  charges: CreditCharges;
}

async function loadStore(
  config: z.infer<typeof creditRedeemConfigSchema>,
  configPath: string,
): Promise<CreditStoreParts> {
  const { module, export: name, options } = config.store;
  const parts = (await fromFactory('store', module, name, options, configPath)) as
    | Partial<CreditStoreParts>
    | undefined;
  if (
    typeof parts?.ledger?.redeemable !== 'function' ||
    typeof parts.accounts?.get !== 'function' ||
    typeof parts.charges?.insert !== 'function'
  ) {
    throw new UsageError(`store from ${module} is not { ledger, accounts, charges }`);
  }
  return parts as CreditStoreParts;
}

function reportLines(report: CreditRedemptionReport): string[] {
  return report.buyers.map((b) =>
    JSON.stringify({
      event: 'credit',
      payer: b.payer,
      outcome: b.outcome,
      owed: b.owed.toString(),
      carried: b.carried.toString(),
      ...(b.amountCents !== undefined ? { amountCents: b.amountCents } : {}),
      ...(b.paymentIntent ? { paymentIntent: b.paymentIntent } : {}),
      ...(b.declineCode ? { declineCode: b.declineCode } : {}),
      ...(b.charge ? { charge: b.charge, attempt: b.attempt } : {}),
      channels: b.channels.map((c) => ({
        channelId: c.channelId,
        periodEnd: c.periodEnd,
        voucherCumulative: c.voucherCumulative.toString(),
      })),
    }),
  );
}

export async function runCreditRedeemCli(input: {
  json: unknown;
  configPath: string;
  once: boolean;
  io: RedeemCliIo;
}): Promise<number> {
  const { io } = input;
  let config: z.infer<typeof creditRedeemConfigSchema>;
  let store: CreditStoreParts;
  let key: string;
  try {
    config = parseConfig(creditRedeemConfigSchema, input.json, input.configPath);
    const secret = io.env[config.stripeSecretKeyEnv];
    if (!secret || !/^(sk|rk)_[A-Za-z0-9_]+$/.test(secret)) {
      throw new UsageError(
        `environment variable ${config.stripeSecretKeyEnv} must hold a Stripe secret key (sk_…)`,
      );
    }
    key = secret;
    store = await loadStore(config, input.configPath);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
  const stripe = new Stripe(key, {
    maxNetworkRetries: 1,
    telemetry: false,
    ...(config.stripe ?? {}),
  });
  const runOnce = async (): Promise<boolean> => {
    try {
      const report = await redeemCredit({
        ...store,
        stripe,
        network: config.network,
        ledgerAddress: config.ledgerAddress as Hex,
      });
      for (const line of reportLines(report)) io.out(line);
      return true;
    } catch (error) {
      io.err(`credit redemption failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  };
  return runRepeatedly(runOnce, {
    once: input.once,
    intervalSeconds: config.intervalSeconds,
    signal: io.signal,
  });
}
