/**
 * What both modes of `x402-rails-redeem` share: usage errors (exit 2), reading the JSON config,
 * loading a factory from the operator's module, and running once or on an interval.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';

export interface RedeemCliIo {
  env: Readonly<Record<string, string | undefined>>;
  out(line: string): void;
  err(line: string): void;
  /** Stops an interval run (tests, signals). */
  signal?: AbortSignal;
}

export class UsageError extends Error {}

export async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read config ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config ${path} is not JSON: ${(error as Error).message}`);
  }
}

export function parseConfig<T extends z.ZodType>(
  schema: T,
  json: unknown,
  path: string,
): z.infer<T> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new UsageError(`config ${path} is invalid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/**
 * Calls `name` of the operator's module `spec` (relative to the config file) with `options`;
 * `what` names the module in errors ("ledger", "store").
 */
export async function fromFactory(
  what: string,
  spec: string,
  name: string,
  options: unknown,
  configPath: string,
): Promise<unknown> {
  const target =
    spec.startsWith('.') || isAbsolute(spec)
      ? pathToFileURL(resolve(dirname(configPath), spec)).href
      : spec;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot load ${what} module ${spec}: ${(error as Error).message}`);
  }
  const factory = mod[name];
  if (typeof factory !== 'function') {
    throw new UsageError(`${what} module ${spec} has no function export ${name}`);
  }
  return factory(options);
}

/** Runs `runOnce` once, or every `intervalSeconds` until aborted; resolves to the exit code. */
export async function runRepeatedly(
  runOnce: () => Promise<boolean>,
  options: { once: boolean; intervalSeconds: number | undefined; signal: AbortSignal | undefined },
): Promise<number> {
  if (options.once || options.intervalSeconds === undefined) return (await runOnce()) ? 0 : 1;
  const interval = options.intervalSeconds * 1000;
  const { signal } = options;
  let ok = true;
  while (!signal?.aborted) {
    ok = (await runOnce()) && ok;
    await new Promise<void>((done) => {
      const timer = setTimeout(done, interval);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          done();
        },
        { once: true },
      );
    });
  }
  return ok ? 0 : 1;
}
