/**
 * @x402-rails/fetch — a `fetch` that pays x402 (HTTP 402) responses. A thin layer over the core
 * client engine (`createPaymentClient`): the engine decodes the 402, keeps the offers a registered
 * rail can pay, applies the spending policy, signs, retries with `PAYMENT-SIGNATURE` and reads the
 * receipt; this package only gives it the shape of `fetch`.
 */
import {
  createPaymentClient,
  type PaymentClientOptions,
  type PaymentReceipt,
} from '@x402-rails/core/client';

export {
  type AmountLimits,
  type PaymentClientOptions,
  type PaymentReceipt,
  PaymentRefusedError,
  type SpendingPolicy,
  X402Error,
} from '@x402-rails/core/client';

/** The fetch signature this package wraps and returns. */
export type FetchFunction = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/** Everything the core client engine takes except the fetch it wraps. */
export type PayingFetchOptions = Omit<PaymentClientOptions, 'fetch'>;

/**
 * Same contract as `fetch`, except that a 402 is paid per the policy and the request sent again.
 * It throws `PaymentRefusedError` (code `policy_rejected` or `no_payable_option`) when it will
 * not pay, and `X402Error` when the server's 402 is malformed.
 */
export interface PayingFetch extends FetchFunction {
  /** The receipt of a response this fetch paid for (undefined when nothing was paid). */
  receiptOf(response: Response): PaymentReceipt | undefined;
}

/**
 * Wraps a fetch function so that it pays x402 responses. Spending limits and budgets hold across
 * every call of the returned function (they live in it), so create it once per agent.
 *
 * @example
 * const pay = wrapFetch(fetch, {
 *   schemes: [createEvmExactClient({ signer })],
 *   policy: { maxPerRequest: { '*': '50000' } }, // 0.05 USDC at most per request
 * });
 * const response = await pay('https://api.example.com/weather');
 * console.log(pay.receiptOf(response)?.settlement?.transaction);
 */
export function wrapFetch(fetchFunction: FetchFunction, options: PayingFetchOptions): PayingFetch {
  return createPayingFetch({ ...options, fetch: fetchFunction as typeof fetch });
}

/**
 * Like `wrapFetch`, with the fetch to wrap given as `options.fetch` (default: the global fetch).
 *
 * @example
 * const pay = createPayingFetch({ schemes: [toyClient], policy: { maxPerRequest: { TOY: '10000' } } });
 */
export function createPayingFetch(options: PaymentClientOptions): PayingFetch {
  const client = createPaymentClient(options);
  const payingFetch = (input: string | URL | Request, init?: RequestInit) =>
    client.fetch(input, init);
  return Object.assign(payingFetch, { receiptOf: client.receiptOf });
}
