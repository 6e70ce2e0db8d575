/**
 * The Stripe double's HTTP face: node:http on 127.0.0.1, secret-key auth, form-encoded bodies,
 * `Idempotency-Key` replay and clash, fault injection, and Ajv validation of every response
 * against Stripe's OpenAPI description.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bank } from './bank.js';
import { invalidRequest, StripeApiError } from './errors.js';
import { FormError, parseForm } from './form.js';
import { assertStripeShape, compileStripeValidators, type StripeSchemaName } from './oas.js';
import { type Answer, route } from './routes.js';

export interface StripeDoubleAccount {
  /** `acct_...`: the `payTo` of payments made with this account's keys. */
  id: string;
  secretKey: string;
  publishableKey: string;
}

/** One injected failure, answered instead of the real handler. */
export interface StripeFault {
  /** HTTP status to answer (500, 503, 429, ...). */
  status: number;
  /** How many matching requests get it (default 1). */
  times?: number;
  /** Only requests whose path matches (default every request). */
  path?: RegExp;
  method?: 'GET' | 'POST' | 'DELETE';
  /**
   * `'stripe'` (default): Stripe's error body for the status. A JSON value: that body as is —
   * e.g. `{}` for the 5xx-without-`error` reply that stripe-node 23 resolves as a success.
   */
  body?: 'stripe' | Record<string, unknown>;
  /**
   * Check a given `body` as this Stripe object before sending it, as every real answer is (by
   * default a fault's own body is sent unchecked: it is meant to be off-spec).
   */
  validateAs?: StripeSchemaName;
  /**
   * Carry the request out first and then answer the fault: the reply of a request that did
   * happen is lost (what a crash or a dropped connection after Stripe acted looks like).
   */
  afterHandling?: boolean;
  /**
   * With `afterHandling`: store the request's real answer under its Idempotency-Key, so a retry
   * with the key replays it — Stripe acted and saved its result, only the reply was lost on the
   * way back (a dropped connection, a client killed before reading it).
   */
  storeHandled?: boolean;
  /** Whether the answer is stored under the request's Idempotency-Key (Stripe stores 500s). */
  storeIdempotent?: boolean;
}

export interface StripeDoubleOptions {
  /**
   * What to do when a response fails OpenAPI validation. Default: throw (an unhandled error fails
   * the test run) after answering 500; `'log'` for long-running use such as the playground; or
   * a function of the error.
   */
  onShapeError?: 'throw' | 'log' | ((error: Error) => void);
}

export interface StripeDouble {
  /** `{ host, port, protocol }` for `new Stripe(key, { ...double.connection })`. */
  readonly connection: { host: string; port: number; protocol: 'http' };
  readonly url: string;
  /** The first account; `createAccount()` adds more. */
  readonly account: StripeDoubleAccount;
  createAccount(): StripeDoubleAccount;
  /** Minor units held by an account (`acct_...`) or paid by a card (its fingerprint); payers go negative. */
  balanceOf(holder: string, currency?: string): number;
  /** Queue a fault for the next matching request(s). */
  fail(fault: StripeFault): void;
  /** Moves the double's clock (token expiry, the 7-day authorization lifetime). */
  advanceTime(seconds: number): void;
  /** Unix seconds on the double's clock. */
  now(): number;
  /** Requests answered so far, by `METHOD path` (for assertions on what a rail sent). */
  readonly requests: readonly {
    method: string;
    path: string;
    idempotencyKey?: string;
    status: number;
  }[];
  readonly bank: Bank;
  close(): Promise<void>;
}

interface Stored {
  fingerprint: string;
  status: number;
  body: string;
}

const key = () => randomBytes(12).toString('hex');

/**
 * @example
 * const double = await startStripeDouble();
 * const stripe = new Stripe(double.account.secretKey, { ...double.connection, maxNetworkRetries: 0 });
 * const pi = await stripe.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' });
 * await double.close();
 */
export async function startStripeDouble(options: StripeDoubleOptions = {}): Promise<StripeDouble> {
  compileStripeValidators();
  let offset = 0;
  const now = () => Math.floor(Date.now() / 1000) + offset;
  const bank = new Bank(now);
  const accounts = new Map<string, StripeDoubleAccount>();
  const publishable = new Map<string, StripeDoubleAccount>();
  const idempotency = new Map<string, Stored>();
  const faults: StripeFault[] = [];
  const requests: { method: string; path: string; idempotencyKey?: string; status: number }[] = [];

  const createAccount = (): StripeDoubleAccount => {
    const suffix = key();
    const account = {
      id: `acct_${suffix.slice(0, 16)}`,
      secretKey: `sk_test_double${suffix}`,
      publishableKey: `pk_test_double${suffix}`,
    };
    accounts.set(account.secretKey, account);
    publishable.set(account.publishableKey, account);
    return account;
  };
  const first = createAccount();

  /** A drifted response (or a bug in the double) must not pass quietly. */
  function reportDrift(error: unknown): void {
    const onShapeError = options.onShapeError ?? 'throw';
    if (typeof onShapeError === 'function')
      onShapeError(error instanceof Error ? error : new Error(String(error)));
    else if (onShapeError === 'log') console.error(error);
    // Thrown outside the request: an uncaught exception, which fails the test run.
    else
      setImmediate(() => {
        throw error;
      });
  }

  function takeFault(method: string, path: string): StripeFault | undefined {
    const index = faults.findIndex(
      (f) =>
        (f.method === undefined || f.method === method) &&
        (f.path === undefined || f.path.test(path)),
    );
    if (index < 0) return undefined;
    const fault = faults[index] as StripeFault;
    const times = (fault.times ?? 1) - 1;
    if (times <= 0) faults.splice(index, 1);
    else faults[index] = { ...fault, times };
    return fault;
  }

  function faultAnswer(fault: StripeFault): Answer {
    if (fault.body !== undefined && fault.body !== 'stripe')
      return {
        status: fault.status,
        body: fault.body,
        ...(fault.validateAs ? { schema: fault.validateAs } : {}),
      };
    const error =
      fault.status === 429
        ? {
            type: 'invalid_request_error',
            code: 'rate_limit',
            message:
              'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
          }
        : { type: 'api_error', message: 'An unknown error occurred' };
    return { status: fault.status, body: { error }, schema: 'error' };
  }

  function send(
    res: ServerResponse,
    answer: Answer,
    extraHeaders: Record<string, string> = {},
  ): string {
    let text = JSON.stringify(answer.body);
    let status = answer.status;
    if (answer.schema) {
      try {
        assertStripeShape(answer.schema, answer.body);
      } catch (error) {
        status = 500;
        text = JSON.stringify({ error: { type: 'api_error', message: String(error) } });
        reportDrift(error);
      }
    }
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': `req_${key()}`,
      'stripe-version': '2024-04-10',
      ...answer.headers,
      ...extraHeaders,
    });
    res.end(text);
    return text;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const idempotencyKey = headerOf(req, 'idempotency-key');
    const log = (status: number): void => {
      requests.push({ method, path, ...(idempotencyKey ? { idempotencyKey } : {}), status });
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = method === 'GET' ? url.search.slice(1) : Buffer.concat(chunks).toString('utf8');

    const auth = headerOf(req, 'authorization') ?? '';
    const secret = /^Bearer (.+)$/.exec(auth)?.[1] ?? '';
    // A publishable key may only make PaymentMethods, as Stripe.js does in a browser.
    const account =
      accounts.get(secret) ??
      (method === 'POST' && path === '/v1/payment_methods' ? publishable.get(secret) : undefined);
    if (!account) {
      const message = secret
        ? `Invalid API Key provided: ${secret.slice(0, 8)}${'*'.repeat(Math.max(0, secret.length - 12))}${secret.slice(-4)}`
        : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').";
      send(res, {
        status: 401,
        body: { error: { type: 'invalid_request_error', message } },
        schema: 'error',
      });
      return log(401);
    }

    // Idempotency is scoped per account and key; the fingerprint is the request's parameters.
    const scope =
      idempotencyKey && method === 'POST' ? `${account.id}\u0000${idempotencyKey}` : undefined;
    const fingerprint = createHash('sha256')
      .update(`${method} ${path}\u0000${canonical(raw)}`)
      .digest('hex');
    if (scope) {
      const stored = idempotency.get(scope);
      if (stored) {
        if (stored.fingerprint !== fingerprint) {
          send(res, {
            status: 400,
            body: {
              error: {
                type: 'idempotency_error',
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
              },
            },
            schema: 'error',
          });
          return log(400);
        }
        res.writeHead(stored.status, {
          'content-type': 'application/json',
          'request-id': `req_${key()}`,
          'idempotent-replayed': 'true',
          'original-request': 'req_original',
        });
        res.end(stored.body);
        return log(stored.status);
      }
    }

    const fault = takeFault(method, path);
    let answer: Answer;
    let store = true;
    if (fault) {
      if (fault.afterHandling) {
        // The request's own outcome is what is lost (unless `storeHandled` saves it for a replay).
        const handled = handleRequest(account.id, method, path, raw);
        if (fault.storeHandled && scope && handled.store) {
          const body = JSON.stringify(handled.answer.body);
          idempotency.set(scope, { fingerprint, status: handled.answer.status, body });
        }
      }
      answer = faultAnswer(fault);
      store = !fault.storeHandled && (fault.storeIdempotent ?? fault.status >= 500);
    } else {
      ({ answer, store } = handleRequest(account.id, method, path, raw));
    }
    const text = send(res, answer);
    if (scope && store) idempotency.set(scope, { fingerprint, status: answer.status, body: text });
    log(answer.status);
  }

  /** The endpoint's answer, and whether Stripe would save it under an idempotency key. */
  function handleRequest(
    account: string,
    method: string,
    path: string,
    raw: string,
  ): { answer: Answer; store: boolean } {
    try {
      return { answer: route(bank, account, method, path, parseForm(raw)), store: true };
    } catch (error) {
      if (error instanceof FormError)
        return {
          answer: errorAnswer(invalidRequest(error.message, { param: error.param })),
          store: false,
        };
      if (error instanceof StripeApiError)
        return {
          answer: errorAnswer(error),
          // Stripe saves no result for a request that failed parameter validation.
          store: error.status !== 400 || error.fields.code === 'payment_intent_unexpected_state',
        };
      throw error;
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'api_error', message: String(error) } }));
      }
      reportDrift(error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    connection: { host: '127.0.0.1', port, protocol: 'http' },
    url: `http://127.0.0.1:${port}`,
    account: first,
    createAccount,
    balanceOf: (holder, currency = 'usd') => bank.balanceOf(holder, currency),
    fail: (fault) => {
      faults.push(fault);
    },
    advanceTime: (seconds) => {
      offset += seconds;
    },
    now,
    requests,
    bank,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function errorAnswer(error: StripeApiError): Answer {
  return { status: error.status, body: error.body(), schema: 'error', headers: error.headers };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Parameters in a stable order, so the same parameters in another order are the same request. */
function canonical(raw: string): string {
  return [...new URLSearchParams(raw)]
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .sort()
    .join('&');
}
