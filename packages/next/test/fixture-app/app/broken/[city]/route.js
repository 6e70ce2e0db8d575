import { paid } from '../../../lib/fixture.js';

export const dynamic = 'force-dynamic';

export const GET = paid(async () => Response.json({ error: 'broken' }, { status: 500 }));
