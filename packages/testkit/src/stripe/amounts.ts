/** Currencies and amounts as Stripe validates them: supported currency, minimum and maximum charge. */
import { DOUBLE_MINIMUMS } from './cards.js';
import { invalidRequest } from './errors.js';
import type { FormObject } from './form.js';
import { requiredString } from './params.js';

const MAX_AMOUNT = 99_999_999;
const ZERO_DECIMAL = new Set(['jpy', 'krw', 'vnd', 'clp', 'isk', 'ugx', 'xaf', 'xof', 'pyg']);

export function currencyOf(params: FormObject, key: string): string {
  const currency = requiredString(params, key);
  if (!/^[a-zA-Z]{3}$/.test(currency) || DOUBLE_MINIMUMS[currency.toLowerCase()] === undefined)
    throw invalidRequest(
      `Invalid currency: ${currency}. Stripe currently supports these currencies: ${Object.keys(DOUBLE_MINIMUMS).join(', ')}`,
      {
        code: 'parameter_invalid_string',
        param: key,
      },
    );
  return currency.toLowerCase();
}

export function checkAmount(amount: number, currency: string): void {
  const minimum = DOUBLE_MINIMUMS[currency] ?? 50;
  if (amount < minimum) {
    const shown = ZERO_DECIMAL.has(currency) ? String(minimum) : (minimum / 100).toFixed(2);
    throw invalidRequest(`Amount must be at least ${shown} ${currency}`, {
      code: 'amount_too_small',
      param: 'amount',
    });
  }
  if (amount > MAX_AMOUNT)
    throw invalidRequest(`Amount must be no more than ${MAX_AMOUNT}`, {
      code: 'amount_too_large',
      param: 'amount',
    });
}
