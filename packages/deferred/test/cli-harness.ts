/** What the bin's tests share: a captured stdout/stderr and config files in a test directory. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function captureIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { env, out: (l: string) => out.push(l), err: (l: string) => err.push(l) },
    out,
    err,
  };
}

/** Writes `config` (JSON, or a raw string) to a new file in `dir` and returns its path. */
export async function writeConfig(dir: string, config: unknown): Promise<string> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}
