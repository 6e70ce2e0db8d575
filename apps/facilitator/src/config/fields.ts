/**
 * Field types shared by the config schema and the rail schemas. Paths and environment variables
 * are resolved while parsing, so every problem with them is reported with its field, at start.
 */
import { isAbsolute, resolve } from 'node:path';
import { isNetwork, type Network } from '@x402-rails/core';
import { z } from 'zod';

/** What parsing needs from outside the file. */
export interface ConfigSources {
  /** The config file's directory: relative paths in the file resolve against it, not the cwd. */
  baseDir: string;
  /** The environment secrets are read from (`process.env`; tests pass their own). */
  env: Readonly<Record<string, string | undefined>>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A secret named by its environment variable; the value never appears in the file. */
export interface EnvSecret {
  /** The variable's name, safe to log. */
  readonly env: string;
  /** The secret itself: never log it. */
  readonly value: string;
}

/** An environment variable name, resolved to its value; unset or empty is an error naming both. */
export function envSecret(sources: ConfigSources) {
  return z
    .string()
    .regex(ENV_NAME, 'must be an environment variable name (letters, digits, _)')
    .transform((name, ctx): EnvSecret => {
      const value = sources.env[name];
      if (value === undefined || value === '') {
        ctx.addIssue({
          code: 'custom',
          message: `environment variable ${name} is ${value === undefined ? 'unset' : 'empty'}`,
        });
        return z.NEVER;
      }
      return { env: name, value };
    });
}

/** An environment variable holding an http(s) URL (an RPC endpoint); the URL is never put in a message. */
export function httpUrlSecret(sources: ConfigSources) {
  return envSecret(sources).transform((secret, ctx): EnvSecret => {
    let protocol = '';
    try {
      protocol = new URL(secret.value).protocol;
    } catch {}
    if (protocol !== 'http:' && protocol !== 'https:') {
      ctx.addIssue({
        code: 'custom',
        message: `environment variable ${secret.env} does not hold an http(s) URL`,
      });
      return z.NEVER;
    }
    return secret;
  });
}

/** A file or directory path, made absolute against the config file's directory. */
export function pathField(sources: ConfigSources) {
  return z
    .string()
    .min(1, 'must be a path')
    .transform((path) => (isAbsolute(path) ? path : resolve(sources.baseDir, path)));
}

export const networkField = z.custom<Network>(
  (value) => typeof value === 'string' && isNetwork(value),
  'must be a CAIP-2 network id (namespace:reference, e.g. eip155:8453)',
);

/** Milliseconds that also fit a Node timer (larger values fire immediately). */
export function millis(min: number) {
  return z
    .number()
    .int('must be a whole number of milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(2_147_483_647, 'must be at most 2147483647 ms');
}
