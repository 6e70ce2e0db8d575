/**
 * Customers of the double, and cards saved to them (PaymentMethod attach), for off-session
 * charges: a saved card is charged later without the buyer present, as the credit-backed deferred
 * rail's redemption does.
 */
import { invalidRequest, missing } from './errors.js';
import type { FormObject } from './form.js';
import { newId, type PaymentMethodRecord } from './objects.js';
import { metadataOf, optionalString, rejectUnknown, requiredString } from './params.js';
import { Wallets } from './wallets.js';

export interface CustomerRecord {
  id: string;
  account: string;
  email: string | undefined;
  name: string | undefined;
  description: string | undefined;
  metadata: Record<string, string>;
  created: number;
}

export function renderCustomer(customer: CustomerRecord): Record<string, unknown> {
  return {
    id: customer.id,
    object: 'customer',
    address: null,
    balance: 0,
    created: customer.created,
    currency: null,
    default_source: null,
    delinquent: false,
    description: customer.description ?? null,
    discount: null,
    email: customer.email ?? null,
    invoice_prefix: customer.id.slice(4, 12).toUpperCase(),
    livemode: false,
    metadata: customer.metadata,
    name: customer.name ?? null,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

export class CustomerWallets extends Wallets {
  readonly customers = new Map<string, CustomerRecord>();

  createCustomer(account: string, params: FormObject): CustomerRecord {
    rejectUnknown(params, ['email', 'name', 'description', 'metadata']);
    const customer: CustomerRecord = {
      id: newId('cus'),
      account,
      email: optionalString(params, 'email'),
      name: optionalString(params, 'name'),
      description: optionalString(params, 'description'),
      metadata: metadataOf(params),
      created: this.now(),
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  retrieveCustomer(account: string, id: string, param?: string): CustomerRecord {
    const customer = this.customers.get(id);
    if (!customer || customer.account !== account) throw missing('customer', id, param);
    return customer;
  }

  /** Saves a card to a customer; a test PaymentMethod (`pm_card_visa`) becomes a new saved one. */
  attachPaymentMethod(account: string, id: string, params: FormObject): PaymentMethodRecord {
    rejectUnknown(params, ['customer']);
    const customer = this.retrieveCustomer(account, requiredString(params, 'customer'), 'customer');
    const pm = this.resolvePaymentMethod(account, id, 'payment_method');
    if (pm.customer !== undefined && pm.customer !== customer.id)
      throw invalidRequest(
        'The payment method you provided has already been attached to a customer.',
        { code: 'payment_method_already_attached' },
      );
    pm.customer = customer.id;
    return pm;
  }

  /** The PaymentMethod a charge for `customer` may use: a card saved to another one may not. */
  protected checkCustomerCard(
    pm: PaymentMethodRecord | undefined,
    customer: CustomerRecord | undefined,
  ): void {
    if (pm?.customer === undefined) return;
    if (customer === undefined)
      throw invalidRequest(
        `The provided PaymentMethod ${pm.id} is attached to a Customer: pass that Customer's id as \`customer\`.`,
        { param: 'customer' },
      );
    if (pm.customer !== customer.id)
      throw invalidRequest(
        `The provided PaymentMethod ${pm.id} does not belong to the Customer ${customer.id}.`,
        { param: 'payment_method' },
      );
  }
}
