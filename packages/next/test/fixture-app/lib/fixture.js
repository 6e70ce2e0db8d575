// The suite creates the resource server in the test process and hands it to the routes through
// a global: the routes are built by `next build`, the server exists only at test time.
import { withPayment } from '../../../src/index.ts';

function fixture() {
  const value = globalThis.__x402NextFixture;
  if (!value) throw new Error('The behaviour suite has not set globalThis.__x402NextFixture');
  return value;
}

/** A paid route handler; the payment config is read when the request arrives. */
export function paid(handler) {
  return (request, context) => {
    const { server, route } = fixture();
    return withPayment(server, route, handler)(request, context);
  };
}

export function streamChunks() {
  return fixture().chunks;
}
