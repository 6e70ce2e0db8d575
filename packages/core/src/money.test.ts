import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../test/thrown-by.js';
import { X402Error } from './errors.js';
import { formatAtomicAmount, parseDecimalAmount, parseMoney } from './money.js';

/** Runs `fn` and returns the X402Error it throws; fails the test when it throws anything else or nothing. */
function amountError(fn: () => unknown): X402Error {
  const error = thrownBy(fn, X402Error);
  expect(error.code).toBe('invalid_amount');
  expect(error.status).toBe(400);
  return error;
}

describe('parseDecimalAmount', () => {
  it.each([
    ['0', 6, 0n],
    ['0.0', 6, 0n],
    ['0.000000', 6, 0n],
    ['0.000001', 6, 1n],
    ['0.01', 6, 10_000n],
    ['0.1', 6, 100_000n],
    ['0.10', 6, 100_000n],
    ['1', 6, 1_000_000n],
    ['4.02', 6, 4_020_000n],
    ['10', 6, 10_000_000n],
    ['123456.789012', 6, 123_456_789_012n],
    ['7', 0, 7n],
    ['1.5', 1, 15n],
    ['1', 18, 1_000_000_000_000_000_000n],
    ['0.000000000000000001', 18, 1n],
    ['1', 36, 10n ** 36n],
  ] as const)('%s at %i decimals is %s', (input, decimals, expected) => {
    expect(parseDecimalAmount(input, decimals)).toBe(expected);
  });

  it('is exact where floating point is not (0.1 + 0.2 style amounts)', () => {
    expect(parseDecimalAmount('0.3', 18)).toBe(300_000_000_000_000_000n);
    expect(parseDecimalAmount('1.005', 3)).toBe(1005n);
    expect(parseDecimalAmount('9007199254740993', 0)).toBe(9_007_199_254_740_993n); // 2^53 + 1
  });

  it('refuses more decimals than the asset has instead of rounding', () => {
    const error = amountError(() => parseDecimalAmount('0.0000001', 6));
    expect(error.message).toContain('7 decimal places');
    expect(error.message).toContain('only 6');
    amountError(() => parseDecimalAmount('0.0000009', 6));
    amountError(() => parseDecimalAmount('1.0', 0));
    amountError(() => parseDecimalAmount('1.10', 1));
    amountError(() => parseDecimalAmount('4.020', 2));
  });

  it.each([
    ['negative', '-1'],
    ['negative zero', '-0'],
    ['negative fraction', '-0.01'],
    ['explicit plus', '+1'],
    ['exponent', '1e3'],
    ['capital exponent', '1E3'],
    ['negative exponent', '1e-7'],
    ['fraction with exponent', '1.5e2'],
    ['empty', ''],
    ['only a dot', '.'],
    ['leading dot', '.5'],
    ['trailing dot', '5.'],
    ['leading zero', '01'],
    ['leading zeros', '00'],
    ['leading zero before fraction', '00.5'],
    ['hex', '0x10'],
    ['octal prefix', '0o7'],
    ['binary prefix', '0b1'],
    ['leading space', ' 1'],
    ['trailing space', '1 '],
    ['inner space', '1 000'],
    ['trailing newline', '1\n'],
    ['tab', '\t1'],
    ['thousands separator', '1,000'],
    ['underscore separator', '1_000'],
    ['comma decimal', '0,5'],
    ['two dots', '1.2.3'],
    ['dollar sign', '$1'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['letters', 'abc'],
    ['arabic-indic digit', '\u0661'],
    ['fullwidth digit', '\uff11'],
    ['bigint suffix', '1n'],
  ])('rejects %s (%j)', (_name, input) => {
    const error = amountError(() => parseDecimalAmount(input, 6));
    expect(error.message).toContain(JSON.stringify(input));
    expect(error.details).toEqual({ input });
  });

  it.each([-1, 37, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0.5])(
    'rejects decimals %s',
    (decimals) => {
      const error = amountError(() => parseDecimalAmount('1', decimals));
      expect(error.message).toContain('decimals must be an integer from 0 to 36');
    },
  );

  it('accepts the decimals bounds 0 and 36', () => {
    expect(parseDecimalAmount('3', 0)).toBe(3n);
    expect(parseDecimalAmount('0.000000000000000000000000000000000001', 36)).toBe(1n);
  });

  it('rejects a non-string input from untyped callers', () => {
    amountError(() => parseDecimalAmount(1 as unknown as string, 6));
    amountError(() => parseDecimalAmount(null as unknown as string, 6));
    amountError(() => parseDecimalAmount(undefined as unknown as string, 6));
  });

  it('accepts up to 78 significant digits (uint256 size) and refuses more', () => {
    const max78 = '9'.repeat(78);
    expect(parseDecimalAmount(max78, 0)).toBe(10n ** 78n - 1n);
    const error = amountError(() => parseDecimalAmount(`1${'0'.repeat(78)}`, 0));
    expect(error.message).toContain('too large');
    // The asset's decimals count: 73 whole digits + 6 decimals = 79 digits.
    amountError(() => parseDecimalAmount('1'.repeat(73), 6));
    expect(parseDecimalAmount('1'.repeat(72), 6)).toBe(BigInt(`${'1'.repeat(72)}000000`));
    // Leading zeros of the fraction do not count as significant digits.
    expect(parseDecimalAmount(`0.${'0'.repeat(35)}1`, 36)).toBe(1n);
  });

  it('truncates a very long input in the error details', () => {
    const input = `x${'1'.repeat(500)}`;
    const error = amountError(() => parseDecimalAmount(input, 6));
    expect(error.details['input']).toBe(input.slice(0, 100));
  });
});

describe('parseMoney', () => {
  it.each([
    ['$0.01', 10_000n],
    ['0.01', 10_000n],
    ['$4.02', 4_020_000n],
    ['4.02', 4_020_000n],
    ['$10', 10_000_000n],
    ['10', 10_000_000n],
    ['$0', 0n],
    ['0.000001', 1n],
    ['$0.000001', 1n],
  ] as const)('string %j at 6 decimals is %s', (input, expected) => {
    expect(parseMoney(input, 6)).toBe(expected);
  });

  it.each([
    [0, 0n],
    [-0, 0n],
    [0.1, 100_000n],
    [0.01, 10_000n],
    [4.02, 4_020_000n],
    [10, 10_000_000n],
    [0.000001, 1n],
    [1.1, 1_100_000n],
    [123.456789, 123_456_789n],
  ] as const)(
    'number %s at 6 decimals is %s (its shortest decimal form, not binary)',
    (input, expected) => {
      expect(parseMoney(input, 6)).toBe(expected);
    },
  );

  it('does not round a float with more decimals than the asset', () => {
    // 0.1 + 0.2 is 0.30000000000000004 as a double: 17 decimals.
    amountError(() => parseMoney(0.1 + 0.2, 6));
    expect(parseMoney(0.1 + 0.2, 17)).toBe(30_000_000_000_000_004n);
    amountError(() => parseMoney(0.0000015, 6));
  });

  it.each([
    ['too many decimals', '0.0000001'],
    ['too many decimals after $', '$0.0000001'],
    ['negative', '-1'],
    ['negative after $', '$-1'],
    ['$ after minus', '-$1'],
    ['leading $ twice', '$$1'],
    ['trailing $', '1$'],
    ['only $', '$'],
    ['empty', ''],
    ['space after $', '$ 1'],
    ['leading space', ' $1'],
    ['exponent', '1e3'],
    ['capital exponent', '1E3'],
    ['exponent after $', '$1e3'],
    ['plus', '+1'],
    ['leading dot', '.5'],
    ['leading dot after $', '$.5'],
    ['trailing dot', '5.'],
    ['leading zero', '01'],
    ['hex', '0x1'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['currency code', 'USD 1'],
    ['euro sign', '\u20ac1'],
  ])('rejects string %s (%j)', (_name, input) => {
    amountError(() => parseMoney(input, 6));
  });

  it.each([
    ['negative', -1],
    ['negative fraction', -0.01],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['tiny number written with an exponent', 1e-7],
    ['huge number written with an exponent', 1e21],
    ['minimum positive double', Number.MIN_VALUE],
  ])('rejects number %s', (_name, input) => {
    amountError(() => parseMoney(input, 6));
  });

  it('names the exponent problem for numbers that String() writes with an exponent', () => {
    const error = amountError(() => parseMoney(1e-7, 18));
    expect(error.message).toContain('exponent');
  });

  it('accepts a large integer that is still written without an exponent', () => {
    expect(parseMoney(1e20, 0)).toBe(100_000_000_000_000_000_000n);
  });

  it('rejects inputs that are neither string nor number, with invalid_amount', () => {
    amountError(() => parseMoney(null as unknown as string, 6));
    amountError(() => parseMoney(undefined as unknown as string, 6));
    amountError(() => parseMoney({} as unknown as string, 6));
    amountError(() => parseMoney(true as unknown as string, 6));
    // A bigint is a plausible mistake (atomic prices are bigints); it must not escape as a TypeError.
    const error = amountError(() => parseMoney(1n as unknown as string, 6));
    expect(error.message).toContain('1n');
  });

  it('rejects decimals out of range for strings and numbers', () => {
    amountError(() => parseMoney('$1', -1));
    amountError(() => parseMoney('$1', 37));
    amountError(() => parseMoney(1, 2.5));
  });
});

describe('formatAtomicAmount', () => {
  it.each([
    [0n, 6, '0'],
    [1n, 6, '0.000001'],
    [10_000n, 6, '0.01'],
    [100_000n, 6, '0.1'],
    [1_000_000n, 6, '1'],
    [4_020_000n, 6, '4.02'],
    [10_000_000n, 6, '10'],
    [123_456_789_012n, 6, '123456.789012'],
    [7n, 0, '7'],
    [0n, 0, '0'],
    [15n, 1, '1.5'],
    [10n ** 18n, 18, '1'],
    [1n, 18, '0.000000000000000001'],
  ] as const)('%s at %i decimals is %j', (amount, decimals, expected) => {
    expect(formatAtomicAmount(amount, decimals)).toBe(expected);
  });

  it('accepts atomic amounts as decimal strings', () => {
    expect(formatAtomicAmount('4020000', 6)).toBe('4.02');
    expect(formatAtomicAmount('10000', 6)).toBe('0.01');
    expect(formatAtomicAmount('0', 6)).toBe('0');
    expect(formatAtomicAmount((2n ** 256n - 1n).toString(), 18)).toBe(
      '115792089237316195423570985008687907853269984665640564039457.584007913129639935',
    );
  });

  it('rejects negative amounts', () => {
    amountError(() => formatAtomicAmount(-1n, 6));
    amountError(() => formatAtomicAmount('-1', 6));
  });

  it.each(['', 'abc', '1.5', '0x10', ' 12 ', '1e3', '+1', '-0'])(
    'rejects the non-atomic string %j with invalid_amount (not a SyntaxError, not a silent reinterpretation)',
    (amount) => {
      amountError(() => formatAtomicAmount(amount, 6));
    },
  );

  it.each([-1, 37, 1.5, Number.NaN])('rejects decimals %s', (decimals) => {
    amountError(() => formatAtomicAmount(1n, decimals));
  });
});

describe('round trips', () => {
  it('parseDecimalAmount(formatAtomicAmount(a, d), d) === a for any amount and decimals 0..18', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 78n - 1n }),
        fc.integer({ min: 0, max: 18 }),
        (amount, decimals) => {
          expect(parseDecimalAmount(formatAtomicAmount(amount, decimals), decimals)).toBe(amount);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('round trips small amounts, where zero padding matters most', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        fc.integer({ min: 0, max: 36 }),
        (amount, decimals) => {
          expect(parseDecimalAmount(formatAtomicAmount(amount, decimals), decimals)).toBe(amount);
          expect(formatAtomicAmount(amount.toString(), decimals)).toBe(
            formatAtomicAmount(amount, decimals),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('formats a parsed decimal back to its normal form (no trailing zeros)', () => {
    const decimalString = fc
      .tuple(
        fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,20}$/)),
        fc.stringMatching(/^[0-9]{0,12}$/),
        fc.integer({ min: 12, max: 18 }),
      )
      .map(([whole, fraction, decimals]) => ({
        text: fraction ? `${whole}.${fraction}` : whole,
        whole,
        fraction,
        decimals,
      }));
    fc.assert(
      fc.property(decimalString, ({ text, whole, fraction, decimals }) => {
        const trimmed = fraction.replace(/0+$/, '');
        const normal = trimmed ? `${whole}.${trimmed}` : whole;
        expect(formatAtomicAmount(parseDecimalAmount(text, decimals), decimals)).toBe(normal);
        expect(parseMoney(`$${text}`, decimals)).toBe(parseDecimalAmount(text, decimals));
      }),
      { numRuns: 500 },
    );
  });
});
