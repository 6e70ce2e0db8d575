/**
 * Exact money: decimal strings to atomic units as bigint, never through floating point.
 * `"4.02"` at 6 decimals is `4020000n`; more decimals than the asset has is an error, not rounding.
 */
import { X402Error } from './errors.js';

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
const MAX_DIGITS = 78; // uint256 has 78 decimal digits

function invalid(input: unknown, why: string): never {
  // Never JSON.stringify a non-string: a bigint would throw a TypeError instead of this error.
  const shown = typeof input === 'string' ? JSON.stringify(input) : safeString(input);
  throw new X402Error('invalid_amount', {
    message: `Invalid amount ${shown}: ${why}`,
    details: { input: typeof input === 'string' ? input.slice(0, 100) : safeString(input) },
  });
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'bigint' ? `${value}n` : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function assertDecimals(input: unknown, decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 36) {
    invalid(input, `decimals must be an integer from 0 to 36, got ${decimals}`);
  }
}

/**
 * Parses a plain decimal string (`"0.01"`, `"4.02"`, `"10"`) into atomic units.
 *
 * @example parseDecimalAmount('4.02', 6) // 4020000n
 */
export function parseDecimalAmount(input: string, decimals: number): bigint {
  assertDecimals(input, decimals);
  if (typeof input !== 'string') invalid(input, 'must be a string');
  const match = DECIMAL.exec(input);
  if (!match)
    invalid(
      input,
      'must be a plain non-negative decimal such as "0.01" (no sign, exponent or spaces)',
    );
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    invalid(input, `has ${fraction.length} decimal places but the asset has only ${decimals}`);
  }
  const digits = whole + fraction.padEnd(decimals, '0');
  if (digits.replace(/^0+/, '').length > MAX_DIGITS) invalid(input, 'is too large');
  return BigInt(digits);
}

/**
 * Parses a human price: `"$0.01"`, `"0.01"`, or a finite non-negative number (converted by its
 * shortest decimal form, so `0.1` is exactly one tenth).
 */
export function parseMoney(input: string | number, decimals: number): bigint {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0)
      invalid(input, 'must be a finite non-negative number');
    const text = String(input);
    if (/e/i.test(text))
      invalid(input, 'is too small or too large to write without an exponent; use a string');
    return parseDecimalAmount(text, decimals);
  }
  if (typeof input !== 'string') invalid(input, 'must be a string or number');
  const text = input.startsWith('$') ? input.slice(1) : input;
  return parseDecimalAmount(text, decimals);
}

/** Formats atomic units as a decimal string without trailing zeros (`4020000n`, 6 → `"4.02"`). */
export function formatAtomicAmount(amount: bigint | string, decimals: number): string {
  assertDecimals(amount, decimals);
  if (typeof amount === 'string' && !/^[0-9]+$/.test(amount)) {
    invalid(amount, 'must be a non-negative integer in atomic units (decimal digits only)');
  }
  const value = typeof amount === 'bigint' ? amount : BigInt(amount);
  if (value < 0n) invalid(String(amount), 'must not be negative');
  const digits = value.toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return fraction.length > 0 ? `${whole}.${fraction}` : whole;
}
