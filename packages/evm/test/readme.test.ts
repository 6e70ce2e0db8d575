/** The README's first example must run as written. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, it, vi } from 'vitest';

it('runs the README example', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  mkdirSync(new URL('../test-output/', import.meta.url), { recursive: true });
  const file = new URL('../test-output/readme-example.ts', import.meta.url);
  writeFileSync(file, code as string);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await import(file.href);
  expect(log).toHaveBeenCalledWith(
    200,
    { weather: 'sunny' },
    expect.stringMatching(/^0x[0-9a-f]{64}$/),
  );
  log.mockRestore();
});
