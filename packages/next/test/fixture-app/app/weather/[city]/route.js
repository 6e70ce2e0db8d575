import { paid } from '../../../lib/fixture.js';

export const dynamic = 'force-dynamic';

const weather = paid(async (_request, { params }) => {
  const { city } = await params;
  return Response.json({ city, weather: 'sunny' });
});
export const GET = weather;
export const OPTIONS = weather;
