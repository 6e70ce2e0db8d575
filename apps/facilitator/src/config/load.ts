/**
 * Reads and validates the config file. Every way it can fail (missing, unreadable, not JSON, a bad
 * field, an unset variable) is a `ConfigFileError` whose message says which file and which field.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ConfigSources } from './fields.js';
import { ConfigFileError, configErrorMap, formatFieldIssues, toFieldIssues } from './issues.js';
import { configSchema, type FacilitatorConfig } from './schema.js';

/** Validates an already-read config value; relative paths resolve against `sources.baseDir`. */
export function parseConfig(
  value: unknown,
  sources: ConfigSources,
  file: string,
): FacilitatorConfig {
  const parsed = configSchema(sources).safeParse(value, { error: configErrorMap });
  if (parsed.success) return parsed.data;
  throw new ConfigFileError(formatFieldIssues(file, toFieldIssues(parsed.error.issues)));
}

function systemMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}

export async function loadConfig(
  path: string,
  env: ConfigSources['env'] = process.env,
): Promise<FacilitatorConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigFileError(`cannot read config ${file}: ${systemMessage(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigFileError(`config ${file} is not JSON: ${reason}`);
  }
  return parseConfig(value, { baseDir: dirname(file), env }, file);
}
