/**
 * Stripe's minimum charge amounts per currency, in the currency's minor units, and which
 * currencies have no minor unit.
 *
 * Source: Stripe, "Supported currencies" — "Minimum and maximum charge amounts" and
 * "Zero-decimal currencies" (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
 * Stripe applies the minimum in the account's settlement currency too; these are the presentment
 * minimums it documents. A price below is refused at configuration time: small prices belong on a
 * rail that batches many payments into one charge (`@x402-rails/deferred`).
 */
import { ConfigError } from '@x402-rails/core';

export const STRIPE_MINIMUM_CHARGE: Readonly<Record<string, bigint>> = {
  usd: 50n,
  aed: 200n,
  aud: 50n,
  bgn: 100n,
  brl: 50n,
  cad: 50n,
  chf: 50n,
  czk: 1500n,
  dkk: 250n,
  eur: 50n,
  gbp: 30n,
  hkd: 400n,
  huf: 17500n,
  inr: 50n,
  jpy: 50n,
  mxn: 1000n,
  myr: 200n,
  nok: 300n,
  nzd: 50n,
  pln: 200n,
  ron: 200n,
  sek: 300n,
  sgd: 50n,
  thb: 1000n,
};

/** Stripe's largest amount: eight digits of minor units (e.g. $999,999.99). */
export const STRIPE_MAXIMUM_CHARGE = 99_999_999n;

/** Currencies Stripe takes in whole units (no minor unit), of those above. */
const ZERO_DECIMAL = new Set(['jpy']);

/** Decimal places of a currency's amount in Stripe's API. */
export function currencyDecimals(currency: string): number {
  return ZERO_DECIMAL.has(currency.toLowerCase()) ? 0 : 2;
}

/** The minimum charge in minor units, or undefined for a currency this rail does not list. */
export function minimumChargeOf(currency: string): bigint | undefined {
  return STRIPE_MINIMUM_CHARGE[currency.toLowerCase()];
}

/** Throws `ConfigError` (`invalid_config`) for an unknown currency, or an amount Stripe cannot charge. */
export function assertChargeable(amount: bigint, currency: string): void {
  const minimum = minimumChargeOf(currency);
  if (minimum === undefined) {
    throw new ConfigError(
      `Stripe card payments here take ${Object.keys(STRIPE_MINIMUM_CHARGE).join(', ')}; not ${currency}`,
    );
  }
  if (amount < minimum) {
    throw new ConfigError(
      `${amount} ${currency} minor units is below Stripe's minimum charge of ${minimum}: a card charge cannot be that small. For small prices use the deferred rail (@x402-rails/deferred), which settles many payments as one charge.`,
      { currency, amount: amount.toString(), minimum: minimum.toString() },
    );
  }
  if (amount > STRIPE_MAXIMUM_CHARGE) {
    throw new ConfigError(
      `${amount} ${currency} minor units is above Stripe's largest charge (${STRIPE_MAXIMUM_CHARGE})`,
    );
  }
}
