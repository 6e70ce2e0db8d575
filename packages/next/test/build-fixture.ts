/**
 * vitest globalSetup: `next build` of the fixture app, once per run (~25 s on 2 cores), skipped
 * when the build is newer than every source it depends on.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const fixtureDir = fileURLToPath(new URL('./fixture-app/', import.meta.url));
const buildId = new URL('./fixture-app/test-output/next-build/BUILD_ID', import.meta.url);
const sources = [new URL('./fixture-app/', import.meta.url), new URL('../src/', import.meta.url)];

function newestMtime(dir: URL): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'test-output') continue;
    const child = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(child) : statSync(child).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  try {
    return statSync(buildId).mtimeMs > Math.max(...sources.map(newestMtime));
  } catch {
    return false;
  }
}

export default function buildFixture(): void {
  if (isFresh()) return;
  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  execFileSync(process.execPath, [nextBin, 'build'], {
    cwd: fixtureDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
}
