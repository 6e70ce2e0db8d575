/** The README's first example must run as written. */
import { runReadmeExample } from '@x402-rails/testkit';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const printed = await runReadmeExample(new URL('..', import.meta.url));
  expect(printed).toContainEqual([
    200,
    { weather: 'sunny' },
    expect.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/),
  ]);
});
