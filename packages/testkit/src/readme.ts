/**
 * Runs a package README's first TypeScript example as written, so examples cannot rot, and
 * returns what it printed with console.log.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * @param packageDir URL of the package directory (e.g. `new URL('..', import.meta.url)` from `test/`).
 * @returns the argument lists of every console.log call the example made.
 */
export async function runReadmeExample(packageDir: URL): Promise<unknown[][]> {
  const readme = readFileSync(new URL('README.md', packageDir), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (code === undefined)
    throw new Error(`${packageDir.pathname}README.md has no \`\`\`ts example`);
  const outDir = new URL('test-output/', packageDir);
  mkdirSync(outDir, { recursive: true });
  // The file sits in the package, so the example's imports resolve as a user's would.
  const file = new URL('readme-example.ts', outDir);
  writeFileSync(file, code);
  const printed: unknown[][] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    printed.push(args);
  };
  try {
    await import(`${file.href}?t=${Date.now()}`);
  } finally {
    console.log = log;
  }
  return printed;
}
