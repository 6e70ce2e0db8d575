/**
 * Raw card numbers must never travel in an x402 payload. Any string holding a run of 12–19 digits
 * (single spaces or dashes allowed between them) that passes the Luhn check is treated as one.
 */
/** A run of digits, with single spaces or dashes allowed between them (`4242 4242 ...`). */
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function looksLikeCardNumber(text: string): boolean {
  for (const match of text.matchAll(DIGIT_RUN)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 12 && digits.length <= 19 && passesLuhn(digits)) return true;
  }
  return false;
}

/** Whether any string (or number) anywhere in `value`, keys included, looks like a card number. */
export function containsCardNumber(value: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (typeof value === 'string') return looksLikeCardNumber(value);
  if (typeof value === 'number' || typeof value === 'bigint')
    return looksLikeCardNumber(String(value));
  if (Array.isArray(value)) return value.some((v) => containsCardNumber(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(
      ([k, v]) => looksLikeCardNumber(k) || containsCardNumber(v, depth + 1),
    );
  }
  return false;
}
