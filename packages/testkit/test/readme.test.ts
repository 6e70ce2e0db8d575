/** The README's example is run as test/readme-example.test.ts; this keeps the two identical. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('README example is the file test/readme-example.test.ts', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBe(readFileSync(new URL('./readme-example.test.ts', import.meta.url), 'utf8'));
});
