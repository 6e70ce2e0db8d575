import { paid, streamChunks } from '../../../lib/fixture.js';

export const dynamic = 'force-dynamic';

export const GET = paid(async () => {
  const chunks = [...streamChunks()];
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    async pull(controller) {
      const chunk = chunks.shift();
      if (chunk === undefined) return controller.close();
      controller.enqueue(encoder.encode(chunk));
      await new Promise((resolve) => setImmediate(resolve));
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
});
