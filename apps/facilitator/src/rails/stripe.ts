/**
 * The Stripe card rail (from @x402-rails/stripe): verify authorizes a card (a manual-capture
 * PaymentIntent), settle captures it, `/release` voids it. The secret key comes from an
 * environment variable; its mode must match `network`. Holds are recorded in memory: after a
 * restart the sweeper no longer knows older holds, which Stripe then voids itself (~7 days).
 */
import { createStripeCardFacilitator, type StripeConnection } from '@x402-rails/stripe/facilitator';
import { z } from 'zod';
import { type ConfigSources, envSecret, millis } from '../config/fields.js';
import { defineRail } from './define.js';

/** Stripe's API base, for a local Stripe double; default https://api.stripe.com. */
const apiUrlField = z.string().transform((text, ctx): StripeConnection => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL' });
    return z.NEVER;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/') {
    ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL without a path' });
    return z.NEVER;
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    host: url.hostname,
    protocol,
    port: url.port === '' ? (protocol === 'http' ? 80 : 443) : Number(url.port),
  };
});

function stripeSchema(sources: ConfigSources) {
  return z.strictObject({
    type: z.literal('stripe'),
    network: z.enum(['stripe:test', 'stripe:live']).optional(),
    /** Environment variable holding the secret (or restricted) key: sk_test_..., sk_live_... */
    secretKeyEnv: envSecret(sources),
    /** The account the key belongs to: the only payTo this facilitator charges for. */
    accountId: z
      .string()
      .regex(/^acct_[A-Za-z0-9]{1,64}$/, 'must be a Stripe account id (acct_...)'),
    /** Announced in /supported so buyers can make PaymentMethods. */
    publishableKey: z
      .string()
      .regex(/^pk_(test|live)_/, 'must be a publishable key')
      .optional(),
    apiUrl: apiUrlField.optional(),
    maxNetworkRetries: z.number().int().min(0).max(5).optional(),
    timeoutMs: millis(100).optional(),
    /** How often to void holds older than their maxTimeoutSeconds (default 60 s; 0 turns it off). */
    sweepIntervalMs: millis(0).default(60_000),
  });
}

export const stripeRail = defineRail({
  type: 'stripe',
  schema: stripeSchema,
  create(config, { field, logger }) {
    const rail = createStripeCardFacilitator({
      secretKey: config.secretKeyEnv.value,
      accountId: config.accountId,
      ...(config.network ? { network: config.network } : {}),
      ...(config.publishableKey ? { publishableKey: config.publishableKey } : {}),
      connection: {
        ...config.apiUrl,
        ...(config.maxNetworkRetries !== undefined
          ? { maxNetworkRetries: config.maxNetworkRetries }
          : {}),
        ...(config.timeoutMs !== undefined ? { timeout: config.timeoutMs } : {}),
      },
    });
    if (config.sweepIntervalMs > 0) {
      rail.startSweeper(config.sweepIntervalMs, (error) =>
        logger.warn(
          { field, err: error instanceof Error ? error.message : String(error) },
          'stripe hold sweep failed',
        ),
      );
    }
    return rail;
  },
  // The key stays in its variable; the account and network are announced.
  announce: (config, rail) => ({
    account: config.accountId,
    network: rail.network,
    secretKeyEnv: config.secretKeyEnv.env,
  }),
});
