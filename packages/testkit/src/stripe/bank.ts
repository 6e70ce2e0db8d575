/**
 * The double's ledger and the operations behind each endpoint: PaymentIntents (create / confirm /
 * capture / cancel / retrieve) and Refunds, on top of the Customers, PaymentMethods and Shared
 * Payment Tokens of `CustomerWallets`. Money moves only on capture (and back on refund): payer balances are kept per card
 * fingerprint, payee balances per account.
 */
import { checkAmount, currencyOf } from './amounts.js';
import { CustomerWallets } from './customers.js';
import { invalidRequest, missing, StripeApiError } from './errors.js';
import type { FormObject } from './form.js';
import {
  newId,
  type PaymentIntentRecord,
  type RefundRecord,
  renderPaymentIntent,
  renderPaymentMethod,
} from './objects.js';
import {
  metadataOf,
  optionalBoolean,
  optionalInteger,
  optionalString,
  rejectUnknown,
  requiredString,
} from './params.js';

/** Stripe voids an uncaptured card authorization after 7 days. */
const AUTHORIZATION_LIFETIME_SECONDS = 7 * 24 * 3600;

export class Bank extends CustomerWallets {
  readonly paymentIntents = new Map<string, PaymentIntentRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  /** `${holder}:${currency}` → minor units; holder = account id or card fingerprint. */
  private readonly balances = new Map<string, number>();

  balanceOf(holder: string, currency: string): number {
    return this.balances.get(`${holder}:${currency.toLowerCase()}`) ?? 0;
  }

  private move(from: string, to: string, currency: string, amount: number): void {
    const add = (holder: string, delta: number) =>
      this.balances.set(`${holder}:${currency}`, this.balanceOf(holder, currency) + delta);
    add(from, -amount);
    add(to, amount);
  }

  // ---- PaymentIntents

  createPaymentIntent(account: string, params: FormObject): PaymentIntentRecord {
    rejectUnknown(params, [
      'amount',
      'currency',
      'payment_method',
      'payment_method_types',
      'allowed_payment_method_types',
      'shared_payment_granted_token',
      'capture_method',
      'confirm',
      'error_on_requires_action',
      'metadata',
      'description',
      'off_session',
      'automatic_payment_methods',
      'customer',
    ]);
    const currency = currencyOf(params, 'currency');
    const amount = optionalInteger(params, 'amount');
    if (amount === undefined)
      throw invalidRequest('Missing required param: amount.', {
        code: 'parameter_missing',
        param: 'amount',
      });
    checkAmount(amount, currency);
    const captureMethod = optionalString(params, 'capture_method') ?? 'automatic';
    if (
      captureMethod !== 'automatic' &&
      captureMethod !== 'automatic_async' &&
      captureMethod !== 'manual'
    )
      throw invalidRequest(`Invalid capture_method: ${captureMethod}`, { param: 'capture_method' });
    const pmId = optionalString(params, 'payment_method');
    const sptId = optionalString(params, 'shared_payment_granted_token');
    if (pmId !== undefined && sptId !== undefined)
      throw invalidRequest(
        'You may only specify one of payment_method and shared_payment_granted_token.',
        {
          param: 'shared_payment_granted_token',
        },
      );
    const token =
      sptId === undefined ? undefined : this.usableToken(account, sptId, amount, currency);
    const description = optionalString(params, 'description');
    const customerId = optionalString(params, 'customer');
    const customer =
      customerId === undefined ? undefined : this.retrieveCustomer(account, customerId, 'customer');
    const paymentMethod =
      pmId !== undefined
        ? this.resolvePaymentMethod(account, pmId, 'payment_method')
        : token?.paymentMethod;
    this.checkCustomerCard(paymentMethod, customer);
    if (
      optionalBoolean(params, 'off_session') === true &&
      optionalBoolean(params, 'confirm') !== true
    )
      throw invalidRequest('off_session can only be used when confirm=true.', {
        param: 'off_session',
      });
    const pi: PaymentIntentRecord = {
      id: newId('pi'),
      account,
      amount,
      currency,
      captureMethod,
      status: 'requires_payment_method',
      paymentMethod,
      customer: customer?.id,
      created: this.now(),
      authorizedAt: undefined,
      amountCapturable: 0,
      amountReceived: 0,
      amountRefunded: 0,
      canceledAt: undefined,
      cancellationReason: undefined,
      lastPaymentError: undefined,
      latestCharge: undefined,
      metadata: metadataOf(params),
      description,
      clientSecret: '',
    };
    pi.clientSecret = `${pi.id}_secret_${newId('s').slice(2)}`;
    if (pi.paymentMethod) pi.status = 'requires_confirmation';
    this.paymentIntents.set(pi.id, pi);
    if (optionalBoolean(params, 'confirm') === true) {
      // Off session the buyer is not there to authenticate: Stripe declines instead of asking.
      const errorOnAction =
        optionalBoolean(params, 'error_on_requires_action') === true ||
        optionalBoolean(params, 'off_session') === true;
      if (token) {
        // Single use: the token is spent by the confirmation attempt, whatever its outcome.
        token.deactivatedAt = this.now();
        token.deactivatedReason = 'consumed';
      }
      this.confirm(pi, errorOnAction);
    }
    return pi;
  }

  confirmPaymentIntent(account: string, id: string, params: FormObject): PaymentIntentRecord {
    rejectUnknown(params, ['payment_method', 'error_on_requires_action', 'off_session']);
    const pi = this.retrievePaymentIntent(account, id);
    const pmId = optionalString(params, 'payment_method');
    if (pmId !== undefined)
      pi.paymentMethod = this.resolvePaymentMethod(account, pmId, 'payment_method');
    if (pi.status !== 'requires_confirmation' && pi.status !== 'requires_payment_method')
      throw this.unexpectedState(pi, 'confirm', [
        'requires_payment_method',
        'requires_confirmation',
      ]);
    this.confirm(pi, optionalBoolean(params, 'error_on_requires_action') === true);
    return pi;
  }

  private confirm(pi: PaymentIntentRecord, errorOnAction: boolean): void {
    const pm = pi.paymentMethod;
    if (!pm)
      throw invalidRequest(
        'You cannot confirm this PaymentIntent because it is missing a payment method.',
        { code: 'payment_intent_unexpected_state', payment_intent: renderPaymentIntent(pi) },
      );
    const outcome = pm.card.outcome;
    const charge = newId('ch');
    if (
      outcome.kind === 'decline' ||
      (outcome.kind === 'authentication_required' && errorOnAction)
    ) {
      const error =
        outcome.kind === 'decline'
          ? { code: outcome.code, decline_code: outcome.declineCode, message: outcome.message }
          : {
              code: 'authentication_required',
              decline_code: 'authentication_required',
              message: 'Your card was declined. This transaction requires authentication.',
            };
      pi.status = 'requires_payment_method';
      pi.lastPaymentError = { type: 'card_error', ...error };
      pi.latestCharge = charge;
      throw new StripeApiError(402, {
        type: 'card_error',
        ...error,
        charge,
        payment_intent: renderPaymentIntent(pi),
        payment_method: renderPaymentMethod(pm),
      });
    }
    pi.lastPaymentError = undefined;
    if (outcome.kind === 'authentication_required') {
      pi.status = 'requires_action';
      return;
    }
    pi.latestCharge = charge;
    pi.authorizedAt = this.now();
    if (pi.captureMethod === 'manual') {
      pi.status = 'requires_capture';
      pi.amountCapturable = pi.amount;
    } else {
      this.collect(pi, pi.amount);
    }
  }

  private collect(pi: PaymentIntentRecord, amount: number): void {
    pi.status = 'succeeded';
    pi.amountCapturable = 0;
    pi.amountReceived = amount;
    if (pi.paymentMethod) this.move(pi.paymentMethod.fingerprint, pi.account, pi.currency, amount);
  }

  retrievePaymentIntent(account: string, id: string): PaymentIntentRecord {
    const pi = this.paymentIntents.get(id);
    if (!pi || pi.account !== account) throw missing('payment_intent', id);
    // An authorization not captured within 7 days is voided by the card network.
    if (
      pi.status === 'requires_capture' &&
      pi.authorizedAt !== undefined &&
      this.now() >= pi.authorizedAt + AUTHORIZATION_LIFETIME_SECONDS
    ) {
      pi.status = 'canceled';
      pi.cancellationReason = 'automatic';
      pi.canceledAt = pi.authorizedAt + AUTHORIZATION_LIFETIME_SECONDS;
      pi.amountCapturable = 0;
    }
    return pi;
  }

  capturePaymentIntent(account: string, id: string, params: FormObject): PaymentIntentRecord {
    rejectUnknown(params, ['amount_to_capture', 'metadata']);
    const pi = this.retrievePaymentIntent(account, id);
    if (pi.status !== 'requires_capture')
      throw this.unexpectedState(pi, 'capture', ['requires_capture']);
    const amount = optionalInteger(params, 'amount_to_capture') ?? pi.amountCapturable;
    if (amount <= 0 || amount > pi.amountCapturable)
      throw invalidRequest(`amount_to_capture must be between 1 and ${pi.amountCapturable}`, {
        code: 'amount_too_large',
        param: 'amount_to_capture',
      });
    this.collect(pi, amount);
    return pi;
  }

  cancelPaymentIntent(account: string, id: string, params: FormObject): PaymentIntentRecord {
    rejectUnknown(params, ['cancellation_reason']);
    const pi = this.retrievePaymentIntent(account, id);
    const cancelable = [
      'requires_payment_method',
      'requires_capture',
      'requires_confirmation',
      'requires_action',
      'processing',
    ] as const;
    if (!(cancelable as readonly string[]).includes(pi.status))
      throw this.unexpectedState(pi, 'cancel', cancelable);
    const reason = optionalString(params, 'cancellation_reason');
    if (
      reason !== undefined &&
      !['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'].includes(reason)
    )
      throw invalidRequest(`Invalid cancellation_reason: ${reason}`, {
        param: 'cancellation_reason',
      });
    pi.status = 'canceled';
    pi.canceledAt = this.now();
    pi.cancellationReason = reason;
    pi.amountCapturable = 0;
    return pi;
  }

  private unexpectedState(pi: PaymentIntentRecord, action: string, allowed: readonly string[]) {
    return invalidRequest(
      `This PaymentIntent's ${action} could not be performed because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be ${action === 'capture' ? 'captured' : action === 'cancel' ? 'canceled' : 'confirmed'}: ${allowed.join(', ')}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: renderPaymentIntent(pi) },
    );
  }

  // ---- Refunds

  createRefund(account: string, params: FormObject): RefundRecord {
    rejectUnknown(params, ['payment_intent', 'amount', 'reason', 'metadata']);
    const pi = this.retrievePaymentIntent(account, requiredString(params, 'payment_intent'));
    if (pi.status !== 'succeeded' || pi.latestCharge === undefined)
      throw invalidRequest(
        `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
        {
          code: 'charge_not_refundable',
          param: 'payment_intent',
        },
      );
    const left = pi.amountReceived - pi.amountRefunded;
    if (left <= 0)
      throw invalidRequest(`Charge ${pi.latestCharge} has already been refunded.`, {
        code: 'charge_already_refunded',
      });
    const amount = optionalInteger(params, 'amount') ?? left;
    if (amount <= 0 || amount > left)
      throw invalidRequest(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
        { code: 'amount_too_large', param: 'amount' },
      );
    const reason = optionalString(params, 'reason');
    if (
      reason !== undefined &&
      !['duplicate', 'fraudulent', 'requested_by_customer'].includes(reason)
    )
      throw invalidRequest(`Invalid reason: ${reason}`, { param: 'reason' });
    pi.amountRefunded += amount;
    if (pi.paymentMethod) this.move(pi.account, pi.paymentMethod.fingerprint, pi.currency, amount);
    const refund: RefundRecord = {
      id: newId('re'),
      account,
      amount,
      currency: pi.currency,
      paymentIntent: pi.id,
      charge: pi.latestCharge,
      created: this.now(),
      reason,
      metadata: metadataOf(params),
    };
    this.refunds.set(refund.id, refund);
    return refund;
  }

  retrieveRefund(account: string, id: string): RefundRecord {
    const refund = this.refunds.get(id);
    if (!refund || refund.account !== account) throw missing('refund', id);
    return refund;
  }
}
