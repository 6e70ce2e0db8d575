import { paid } from '../../../lib/fixture.js';

export const dynamic = 'force-dynamic';

export const GET = paid(async (_request, { params }) => {
  const { city } = await params;
  return Response.json({ city, forecast: 'rain' });
});
