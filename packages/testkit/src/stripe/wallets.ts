/**
 * The buyer side of the double: PaymentMethods (made from test tokens, or a fresh one per use of
 * a test PaymentMethod such as `pm_card_visa`) and Shared Payment Tokens granted to a seller
 * (single use, expiring, with usage limits).
 */

import { currencyOf } from './amounts.js';
import { testCardOf } from './cards.js';
import { invalidRequest, missing } from './errors.js';
import type { FormObject } from './form.js';
import {
  fingerprintOf,
  type GrantedTokenRecord,
  newId,
  type PaymentMethodRecord,
} from './objects.js';
import {
  optionalHash,
  optionalInteger,
  optionalString,
  rejectUnknown,
  requiredString,
} from './params.js';

export class Wallets {
  readonly paymentMethods = new Map<string, PaymentMethodRecord>();
  readonly grantedTokens = new Map<string, GrantedTokenRecord>();

  constructor(readonly now: () => number) {}

  // ---- PaymentMethods

  createPaymentMethod(account: string, params: FormObject): PaymentMethodRecord {
    rejectUnknown(params, ['type', 'card', 'metadata', 'billing_details']);
    if (requiredString(params, 'type') !== 'card')
      throw invalidRequest('The double only supports card PaymentMethods', { param: 'type' });
    const card = optionalHash(params, 'card') ?? {};
    const token = optionalString(card, 'token');
    if (token === undefined)
      throw invalidRequest(
        'Sending card numbers directly to the Stripe API is generally unsafe. Use a test token (card[token]=tok_visa).',
        { code: 'parameter_missing', param: 'card[token]' },
      );
    const found = testCardOf(token);
    if (!found || !token.startsWith('tok_')) throw missing('token', token, 'card[token]');
    return this.newPaymentMethod(account, found.name);
  }

  protected newPaymentMethod(account: string, cardName: string): PaymentMethodRecord {
    const found = testCardOf(`pm_card_${cardName}`);
    if (!found) throw new Error(`unknown test card ${cardName}`);
    const pm: PaymentMethodRecord = {
      id: newId('pm'),
      account,
      cardName: found.name,
      card: found.card,
      fingerprint: fingerprintOf(found.name),
      created: this.now(),
    };
    this.paymentMethods.set(pm.id, pm);
    return pm;
  }

  retrievePaymentMethod(account: string, id: string): PaymentMethodRecord {
    const pm = this.paymentMethods.get(id);
    if (!pm || pm.account !== account) throw missing('PaymentMethod', id);
    return pm;
  }

  /** A test PaymentMethod (`pm_card_visa`) becomes a fresh PaymentMethod each use, as on Stripe. */
  protected resolvePaymentMethod(account: string, id: string, param: string): PaymentMethodRecord {
    const test = id.startsWith('pm_card_') ? testCardOf(id) : undefined;
    if (test) return this.newPaymentMethod(account, test.name);
    const pm = this.paymentMethods.get(id);
    if (!pm || pm.account !== account) throw missing('PaymentMethod', id, param);
    return pm;
  }

  // ---- Shared Payment Tokens (seller side: granted tokens)

  createGrantedToken(account: string, params: FormObject): GrantedTokenRecord {
    rejectUnknown(params, ['payment_method', 'usage_limits', 'metadata']);
    const pm = this.resolvePaymentMethod(
      account,
      requiredString(params, 'payment_method'),
      'payment_method',
    );
    const limits = optionalHash(params, 'usage_limits');
    if (!limits)
      throw invalidRequest('Missing required param: usage_limits.', { param: 'usage_limits' });
    const currency = currencyOf(limits, 'currency');
    const maxAmount = optionalInteger(limits, 'max_amount');
    const expiresAt = optionalInteger(limits, 'expires_at');
    if (maxAmount === undefined || maxAmount <= 0)
      throw invalidRequest('usage_limits[max_amount] must be positive', {
        param: 'usage_limits[max_amount]',
      });
    if (expiresAt === undefined)
      throw invalidRequest('Missing required param: usage_limits[expires_at].', {
        param: 'usage_limits[expires_at]',
      });
    const token: GrantedTokenRecord = {
      id: newId('spt'),
      account,
      paymentMethod: pm,
      currency,
      maxAmount,
      expiresAt,
      created: this.now(),
      deactivatedAt: undefined,
      deactivatedReason: undefined,
    };
    this.grantedTokens.set(token.id, token);
    return token;
  }

  retrieveGrantedToken(account: string, id: string): GrantedTokenRecord {
    const token = this.grantedTokens.get(id);
    if (!token || token.account !== account) throw missing('shared payment granted token', id);
    return token;
  }

  protected usableToken(
    account: string,
    id: string,
    amount: number,
    currency: string,
  ): GrantedTokenRecord {
    const token = this.grantedTokens.get(id);
    const param = 'shared_payment_granted_token';
    if (!token || token.account !== account)
      throw missing('shared payment granted token', id, param);
    if (token.deactivatedAt !== undefined)
      throw invalidRequest(`The shared payment token ${id} has already been used.`, {
        code: 'shared_payment_granted_token_deactivated',
        param,
      });
    if (token.expiresAt <= this.now())
      throw invalidRequest(`The shared payment token ${id} has expired.`, {
        code: 'shared_payment_granted_token_expired',
        param,
      });
    if (token.currency !== currency || amount > token.maxAmount)
      throw invalidRequest(`The payment exceeds the shared payment token's usage limits.`, {
        code: 'shared_payment_granted_token_usage_limits_exceeded',
        param,
      });
    return token;
  }
}
