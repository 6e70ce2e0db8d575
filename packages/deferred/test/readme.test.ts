/** The README's first example must run as written. */
import { runReadmeExample } from '@x402-rails/testkit';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const printed = await runReadmeExample(new URL('..', import.meta.url));
  expect(printed).toEqual([[true, '3000', 'accepted']]);
});
