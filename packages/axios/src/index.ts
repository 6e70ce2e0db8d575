/**
 * @x402-rails/axios — pays x402 (HTTP 402) answers of an axios instance. A response interceptor
 * pair (fulfilled: a 402 the instance accepts as a status; rejected: a 402 error) hands each 402
 * to the core client engine (`createPaymentClient`), which chooses, signs and retries; the engine
 * sends its requests through this same axios instance, so the caller's config, adapters and other
 * interceptors apply to the paid request too.
 */

import {
  createPaymentClient,
  type PaymentClientOptions,
  type PaymentReceipt,
} from '@x402-rails/core/client';
import {
  AxiosError,
  AxiosHeaders,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';

export {
  type AmountLimits,
  type PaymentReceipt,
  PaymentRefusedError,
  type SpendingPolicy,
  X402Error,
} from '@x402-rails/core/client';

/** Everything the core client engine takes except the fetch (axios sends the requests). */
export type AxiosPaymentOptions = Omit<PaymentClientOptions, 'fetch'>;

export interface AxiosPayments {
  /** The receipt of a response this instance paid for (also on `error.response` of a failed paid call). */
  receiptOf(response: AxiosResponse): PaymentReceipt | undefined;
  /** Removes the interceptors; requests are no longer paid. */
  eject(): void;
}

/** Carries the engine's calls back to the axios request they belong to; never sent on the wire. */
const CALL_HEADER = 'x-x402-rails-axios-call';
const PAID_HEADER = 'payment-signature';

interface PendingCall {
  first: AxiosResponse;
  /** Web responses the engine saw, mapped back to the axios responses they stand for. */
  answers: WeakMap<Response, AxiosResponse>;
}

/** A header-only Web Response standing for an axios response (the engine reads status and headers). */
function toWebResponse(response: AxiosResponse): Response {
  const headers = new Headers();
  const source = AxiosHeaders.from(response.headers as AxiosHeaders).toJSON();
  for (const [name, value] of Object.entries(source)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      try {
        headers.append(name, String(item));
      } catch {
        // A header value fetch cannot hold; the engine needs only the x402 headers.
      }
    }
  }
  const status = response.status >= 200 && response.status <= 599 ? response.status : 500;
  return new Response(null, { status, headers });
}

const isUnpaid402 = (response: AxiosResponse | undefined): response is AxiosResponse =>
  response?.status === 402 &&
  !AxiosHeaders.from(response.config?.headers).has(PAID_HEADER) &&
  AxiosHeaders.from(response.headers as AxiosHeaders).has('payment-required');

/**
 * Installs the payment interceptors on an axios instance. Limits and budgets are counted per
 * installation, so install once per agent.
 *
 * @example
 * const api = axios.create({ baseURL: 'https://api.example.com' });
 * const payments = withPayments(api, { schemes: [createEvmExactClient({ signer })], policy: { maxPerRequest: { '*': '50000' } } });
 * const response = await api.get('/weather');
 * console.log(payments.receiptOf(response)?.settlement?.transaction);
 */
export function withPayments(instance: AxiosInstance, options: AxiosPaymentOptions): AxiosPayments {
  const calls = new Map<string, PendingCall>();
  const receipts = new WeakMap<AxiosResponse, PaymentReceipt>();
  let nextCall = 0;

  const engine = createPaymentClient({
    ...options,
    async fetch(input, init) {
      const request = new Request(input, init);
      const call = calls.get(request.headers.get(CALL_HEADER) ?? '');
      if (!call) throw new Error('x402-rails axios: engine call without a pending request');
      const signature = request.headers.get(PAID_HEADER);
      // The engine's first fetch is the 402 axios already received.
      const answer =
        signature === null
          ? call.first
          : await instance.request({
              ...call.first.config,
              headers: AxiosHeaders.from(call.first.config.headers).set(PAID_HEADER, signature),
              // Every status comes back to the engine; the caller's rule is applied afterwards.
              validateStatus: () => true,
            });
      const web = toWebResponse(answer);
      call.answers.set(web, answer);
      return web;
    },
  });

  async function pay(first: AxiosResponse): Promise<AxiosResponse> {
    const id = String(nextCall++);
    const call: PendingCall = { first, answers: new WeakMap() };
    calls.set(id, call);
    const signal = first.config.signal;
    try {
      const web = await engine.fetch('http://axios.invalid/', {
        headers: { [CALL_HEADER]: id },
        ...(signal instanceof AbortSignal ? { signal } : {}),
      });
      const answer = call.answers.get(web) ?? first;
      const receipt = engine.receiptOf(web);
      if (receipt) receipts.set(answer, receipt);
      return answer;
    } finally {
      calls.delete(id);
    }
  }

  /** Applies the caller's `validateStatus` to the paid answer, as axios would have. */
  function settle(answer: AxiosResponse, config: InternalAxiosRequestConfig): AxiosResponse {
    const validate = config.validateStatus;
    if (!validate || validate(answer.status)) return answer;
    throw new AxiosError(
      `Request failed with status code ${answer.status}`,
      answer.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
      config,
      answer.request,
      answer,
    );
  }

  const id = instance.interceptors.response.use(
    async (response) => {
      if (!isUnpaid402(response)) return response;
      return settle(await pay(response), response.config);
    },
    async (error: unknown) => {
      // Duck-typed: the caller's axios may be another copy than the one this package imports.
      const response = (error as Partial<AxiosError> | null)?.isAxiosError
        ? (error as AxiosError).response
        : undefined;
      if (!isUnpaid402(response)) throw error;
      const answer = await pay(response);
      if (answer === response) throw error;
      return settle(answer, response.config);
    },
  );

  return {
    receiptOf: (response) => receipts.get(response),
    eject: () => instance.interceptors.response.eject(id),
  };
}
