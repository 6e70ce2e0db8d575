/** Which endpoint answers a request: the double's routing table over the bank's operations. */
import type { Bank } from './bank.js';
import { renderCustomer } from './customers.js';
import { StripeApiError } from './errors.js';
import type { FormObject } from './form.js';
import type { StripeSchemaName } from './oas.js';
import {
  renderGrantedToken,
  renderPaymentIntent,
  renderPaymentMethod,
  renderRefund,
} from './objects.js';

export interface Answer {
  status: number;
  body: unknown;
  schema?: StripeSchemaName;
  headers?: Record<string, string>;
}

export function route(
  bank: Bank,
  account: string,
  method: string,
  path: string,
  params: FormObject,
): Answer {
  const segments = path.split('/').filter(Boolean);
  const [v1, resource, id, action, extra] = segments;
  if (v1 !== 'v1') throw notFound(method, path);
  const pi = (record: ReturnType<Bank['retrievePaymentIntent']>): Answer => ({
    status: 200,
    body: renderPaymentIntent(record),
    schema: 'payment_intent',
  });
  if (resource === 'payment_intents') {
    if (method === 'POST' && id === undefined) return pi(bank.createPaymentIntent(account, params));
    if (id !== undefined && extra === undefined) {
      if (method === 'GET' && action === undefined)
        return pi(bank.retrievePaymentIntent(account, id));
      if (method === 'POST' && action === 'confirm')
        return pi(bank.confirmPaymentIntent(account, id, params));
      if (method === 'POST' && action === 'capture')
        return pi(bank.capturePaymentIntent(account, id, params));
      if (method === 'POST' && action === 'cancel')
        return pi(bank.cancelPaymentIntent(account, id, params));
    }
  }
  if (resource === 'customers' && action === undefined) {
    const customer = (record: ReturnType<Bank['retrieveCustomer']>): Answer => ({
      status: 200,
      body: renderCustomer(record),
      schema: 'customer',
    });
    if (method === 'POST' && id === undefined)
      return customer(bank.createCustomer(account, params));
    if (method === 'GET' && id !== undefined) return customer(bank.retrieveCustomer(account, id));
  }
  if (
    resource === 'payment_methods' &&
    method === 'POST' &&
    id !== undefined &&
    action === 'attach' &&
    extra === undefined
  )
    return {
      status: 200,
      body: renderPaymentMethod(bank.attachPaymentMethod(account, id, params)),
      schema: 'payment_method',
    };
  if (resource === 'payment_methods' && action === undefined) {
    if (method === 'POST' && id === undefined)
      return {
        status: 200,
        body: renderPaymentMethod(bank.createPaymentMethod(account, params)),
        schema: 'payment_method',
      };
    if (method === 'GET' && id !== undefined)
      return {
        status: 200,
        body: renderPaymentMethod(bank.retrievePaymentMethod(account, id)),
        schema: 'payment_method',
      };
  }
  if (resource === 'refunds' && action === undefined) {
    if (method === 'POST' && id === undefined)
      return {
        status: 200,
        body: renderRefund(bank.createRefund(account, params)),
        schema: 'refund',
      };
    if (method === 'GET' && id !== undefined)
      return {
        status: 200,
        body: renderRefund(bank.retrieveRefund(account, id)),
        schema: 'refund',
      };
  }
  if (method === 'POST' && path === '/v1/test_helpers/shared_payment/granted_tokens')
    return {
      status: 200,
      body: renderGrantedToken(bank.createGrantedToken(account, params)),
      schema: 'shared_payment.granted_token',
    };
  if (
    method === 'GET' &&
    resource === 'shared_payment' &&
    id === 'granted_tokens' &&
    action !== undefined &&
    extra === undefined
  )
    return {
      status: 200,
      body: renderGrantedToken(bank.retrieveGrantedToken(account, action)),
      schema: 'shared_payment.granted_token',
    };
  throw notFound(method, path);
}

export function notFound(method: string, path: string): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  });
}
