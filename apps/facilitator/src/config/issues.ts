/**
 * Config errors as people read them: `rails[0].network: must be a CAIP-2 network id`. Every
 * message names the field path, because "invalid input" without a place is a support ticket.
 */
import type { z } from 'zod';

/** A config that can never work: the CLI prints the message (no stack) and exits with code 2. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
}

export interface FieldIssue {
  field: string;
  message: string;
}

/** `['rails', 0, 'network']` → `rails[0].network`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

/**
 * Per-parse messages for the generic cases; a schema's own message wins over these. Missing
 * fields say so instead of zod's "expected string, received undefined".
 */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined ? 'is required' : `must be ${describeType(issue.expected)}`;
  }
  if (issue.code === 'invalid_value' && issue.values.length > 0) {
    const values = issue.values.map((v) => JSON.stringify(v));
    return values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(', ')}`;
  }
  return undefined;
};

function describeType(expected: string): string {
  if (expected === 'object') return 'an object';
  if (expected === 'array') return 'a list';
  if (expected === 'int') return 'an integer';
  return `a ${expected}`;
}

/** Flattens zod issues to one entry per field; unknown keys become one entry per key. */
export function toFieldIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      // A misspelt key would otherwise silently fall back to a default.
      for (const key of issue.keys)
        out.push({ field: fieldPath([...path, key]), message: 'is not a known field' });
    } else {
      out.push({ field: fieldPath(path), message: issue.message });
    }
  }
  return out;
}

export function formatFieldIssues(file: string, issues: readonly FieldIssue[]): string {
  const lines = issues.slice(0, 20).map((issue) => `  ${issue.field}: ${issue.message}`);
  if (issues.length > 20) lines.push(`  … and ${issues.length - 20} more`);
  return `invalid config ${file}:\n${lines.join('\n')}`;
}
