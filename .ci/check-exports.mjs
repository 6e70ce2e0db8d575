#!/usr/bin/env node
// Checks a package's `exports` against its tsup entry list (run from the package directory):
// every entry `src/<name>.ts` is exported as `./<name>` (`src/index.ts` as `.`) with source, ESM,
// CJS and type paths that exist after the build, nothing else is exported, and the package is
// side-effect free. Drift fails the check, so a new entry cannot ship unexported or vice versa.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.cwd();
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const tsupConfig = readFileSync(join(dir, 'tsup.config.ts'), 'utf8');
const match = /export const entry = \[([^\]]*)\]/.exec(tsupConfig);
const problems = [];
if (!match) problems.push('tsup.config.ts must declare `export const entry = [...]`');
const entries = match ? [...match[1].matchAll(/'src\/([\w-]+)\.ts'/g)].map((m) => m[1]) : [];

if (pkg.sideEffects !== false) problems.push('"sideEffects" must be false');
const exportsField = pkg.exports ?? {};
const expectedKeys = new Set([
  ...entries.map((e) => (e === 'index' ? '.' : `./${e}`)),
  './package.json',
]);
for (const key of Object.keys(exportsField)) {
  if (!expectedKeys.has(key)) problems.push(`export "${key}" has no tsup entry`);
}
for (const entry of entries) {
  const key = entry === 'index' ? '.' : `./${entry}`;
  const value = exportsField[key];
  const expected = {
    source: `./src/${entry}.ts`,
    import: { types: `./dist/${entry}.d.ts`, default: `./dist/${entry}.js` },
    require: { types: `./dist/${entry}.d.cts`, default: `./dist/${entry}.cjs` },
  };
  if (JSON.stringify(value) !== JSON.stringify(expected)) {
    problems.push(
      `export "${key}" should be ${JSON.stringify(expected)}, is ${JSON.stringify(value)}`,
    );
    continue;
  }
  for (const file of [
    expected.source,
    expected.import.types,
    expected.import.default,
    expected.require.types,
    expected.require.default,
  ]) {
    if (!existsSync(join(dir, file))) problems.push(`${key}: ${file} does not exist (built?)`);
  }
}
if (problems.length > 0) {
  console.error(`${pkg.name}: exports drift from the build entries:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`${pkg.name}: ${entries.length} entries match exports`);
