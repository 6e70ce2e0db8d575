/** Reading form parameters with Stripe's validation errors. */
import { invalidRequest } from './errors.js';
import type { FormObject, FormValue } from './form.js';

export function rejectUnknown(params: FormObject, allowed: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key))
      throw invalidRequest(`Received unknown parameter: ${key}`, {
        code: 'parameter_unknown',
        param: key,
      });
  }
}

export function optionalString(params: FormObject, key: string): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw invalidRequest(`Invalid string: ${key}`, {
      code: 'parameter_invalid_string',
      param: key,
    });
  return value;
}

export function requiredString(params: FormObject, key: string): string {
  const value = optionalString(params, key);
  if (value === undefined || value === '')
    throw invalidRequest(`Missing required param: ${key}.`, {
      code: 'parameter_missing',
      param: key,
    });
  return value;
}

export function optionalInteger(params: FormObject, key: string): number | undefined {
  const value = optionalString(params, key);
  if (value === undefined) return undefined;
  if (!/^-?[0-9]{1,15}$/.test(value))
    throw invalidRequest(`Invalid integer: ${value}`, {
      code: 'parameter_invalid_integer',
      param: key,
    });
  return Number(value);
}

export function optionalBoolean(params: FormObject, key: string): boolean | undefined {
  const value = optionalString(params, key);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false')
    throw invalidRequest(`Invalid boolean: ${value}`, {
      code: 'parameter_invalid_boolean',
      param: key,
    });
  return value === 'true';
}

export function optionalHash(params: FormObject, key: string): FormObject | undefined {
  const value: FormValue | undefined = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidRequest(`Invalid hash: ${key}`, { code: 'parameter_invalid_hash', param: key });
  return value;
}

export function metadataOf(params: FormObject): Record<string, string> {
  const hash = optionalHash(params, 'metadata') ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(hash)) {
    if (typeof v !== 'string')
      throw invalidRequest(`Invalid metadata value for ${k}`, { param: `metadata[${k}]` });
    if (k.length > 40 || v.length > 500)
      throw invalidRequest('Metadata keys are limited to 40 characters and values to 500', {
        param: `metadata[${k}]`,
      });
    out[k] = v;
  }
  return out;
}
