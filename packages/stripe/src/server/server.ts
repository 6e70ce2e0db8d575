/**
 * Server role of the Stripe card rail: prices to requirements (amount in the currency's minor
 * units, `asset` the lowercase ISO 4217 code, `payTo` the Stripe account id, the publishable key
 * and minimum in `extra`), the payment id, and `holdsFunds` so the engine voids the hold when the
 * paid work fails. A price below Stripe's minimum charge is refused here, at configuration time.
 */
import {
  ConfigError,
  type DisplayAmount,
  formatAtomicAmount,
  type PaymentRequirements,
  parseMoney,
  type RequirementsContext,
  type SchemeServer,
} from '@x402-rails/core';
import { assertChargeable, currencyDecimals, minimumChargeOf } from '../minimums.js';
import { ACCOUNT_ID, isStripeNetwork, resolveNetwork, type StripeNetwork } from '../network.js';
import { STRIPE_SCHEME } from '../payload.js';
import { stripePaymentId } from '../payment-id.js';

export interface StripeCardServerOptions {
  /** The seller's publishable key (`pk_test_...` / `pk_live_...`): buyers make PaymentMethods with it. */
  publishableKey: string;
  /** Checked against the key's mode; default the key's. */
  network?: StripeNetwork;
  /** Currency of money prices (`'$0.50'`, `0.5`); default `usd`. */
  currency?: string;
}

const SYMBOLS: Readonly<Record<string, string>> = {
  usd: 'USD',
  eur: 'EUR',
  gbp: 'GBP',
  jpy: 'JPY',
};

/**
 * @example
 * const cards = createStripeCardServer({ publishableKey: 'pk_test_...' });
 * const route = { accepts: { scheme: 'shared-payment-token', network: 'stripe:test', price: '$0.50', payTo: 'acct_...' } };
 */
export function createStripeCardServer(options: StripeCardServerOptions): SchemeServer {
  if (!options.publishableKey.startsWith('pk_'))
    throw new ConfigError('publishableKey must be a publishable key (pk_test_... or pk_live_...)');
  const network = resolveNetwork(options.publishableKey, options.network);
  const defaultCurrency = (options.currency ?? 'usd').toLowerCase();
  if (minimumChargeOf(defaultCurrency) === undefined)
    throw new ConfigError(`Unsupported currency ${options.currency}`);

  return {
    scheme: STRIPE_SCHEME,
    networks: [network],
    holdsFunds: true,
    requirements(context: RequirementsContext): PaymentRequirements {
      if (!isStripeNetwork(context.network) || context.network !== network)
        throw new ConfigError(`This Stripe card server serves ${network}, not ${context.network}`);
      if (!ACCOUNT_ID.test(context.payTo))
        throw new ConfigError(`payTo ${context.payTo} is not a Stripe account id (acct_...)`);
      let amount: bigint;
      let currency = defaultCurrency;
      let extra: Record<string, unknown> = {};
      if (context.price.atomic) {
        currency = context.price.atomic.asset.toLowerCase();
        if (!/^[a-z]{3}$/.test(currency))
          throw new ConfigError(`asset ${context.price.atomic.asset} is not an ISO 4217 code`);
        try {
          amount = BigInt(context.price.atomic.amount);
        } catch {
          throw new ConfigError(`amount ${String(context.price.atomic.amount)} is not an integer`);
        }
        extra = { ...context.price.atomic.extra };
      } else if (context.price.money !== undefined) {
        if (
          typeof context.price.money === 'string' &&
          context.price.money.startsWith('$') &&
          currency !== 'usd'
        )
          throw new ConfigError(
            `A $ price cannot be charged in ${currency}; give the amount without $`,
          );
        amount = parseMoney(context.price.money, currencyDecimals(currency));
      } else {
        throw new ConfigError('A price is required');
      }
      assertChargeable(amount, currency);
      return {
        scheme: STRIPE_SCHEME,
        network,
        amount: amount.toString(),
        asset: currency,
        payTo: context.payTo,
        maxTimeoutSeconds: context.maxTimeoutSeconds,
        extra: {
          ...extra,
          ...context.extra,
          publishableKey: options.publishableKey,
          minimumAmount: (minimumChargeOf(currency) as bigint).toString(),
        },
      };
    },
    paymentId: stripePaymentId,
    describe(requirements): DisplayAmount {
      return {
        amount: formatAtomicAmount(requirements.amount, currencyDecimals(requirements.asset)),
        symbol: SYMBOLS[requirements.asset] ?? requirements.asset.toUpperCase(),
        networkName: requirements.network === 'stripe:live' ? 'Stripe' : 'Stripe (test mode)',
      };
    },
  };
}
