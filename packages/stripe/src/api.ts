/** The `stripe` SDK client the rail's roles use. */
import Stripe from 'stripe';

/** Where and how to reach Stripe: defaults to api.stripe.com; tests point it at the double. */
export interface StripeConnection {
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /**
   * SDK retries of 409, 429, 5xx and connection errors (default 1). Safe: every POST the rail
   * sends carries an idempotency key, which the SDK reuses for its retries.
   */
  maxNetworkRetries?: number;
  /** Per-request timeout in ms (default 20 000). */
  timeout?: number;
}

export function createStripeApi(key: string, connection: StripeConnection = {}): Stripe {
  return new Stripe(key, {
    maxNetworkRetries: connection.maxNetworkRetries ?? 1,
    timeout: connection.timeout ?? 20_000,
    telemetry: false,
    ...(connection.host !== undefined ? { host: connection.host } : {}),
    ...(connection.port !== undefined ? { port: connection.port } : {}),
    ...(connection.protocol !== undefined ? { protocol: connection.protocol } : {}),
    appInfo: { name: '@x402-rails/stripe' },
  });
}

export { Stripe };
