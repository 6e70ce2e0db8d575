import { paid } from '../../../lib/fixture.js';

export const dynamic = 'force-dynamic';

export const GET = paid(async () => {
  throw new Error('the handler failed');
});
