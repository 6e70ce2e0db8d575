/** The double's records and how they render as Stripe objects. */
import { createHash, randomBytes } from 'node:crypto';
import type { TestCard } from './cards.js';

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

export interface PaymentMethodRecord {
  id: string;
  account: string;
  cardName: string;
  card: TestCard;
  fingerprint: string;
  created: number;
  /** The customer the card is saved to (`cus_…`), once attached. */
  customer?: string;
}

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface PaymentErrorRecord {
  type: 'card_error';
  code: string;
  decline_code?: string;
  message: string;
}

export interface PaymentIntentRecord {
  id: string;
  account: string;
  amount: number;
  currency: string;
  captureMethod: 'automatic' | 'automatic_async' | 'manual';
  status: PaymentIntentStatus;
  paymentMethod: PaymentMethodRecord | undefined;
  /** The customer charged (`cus_…`), if any. */
  customer?: string | undefined;
  created: number;
  /** When the authorization hold was placed (Stripe voids it after 7 days). */
  authorizedAt: number | undefined;
  amountCapturable: number;
  amountReceived: number;
  amountRefunded: number;
  canceledAt: number | undefined;
  cancellationReason: string | undefined;
  lastPaymentError: PaymentErrorRecord | undefined;
  latestCharge: string | undefined;
  metadata: Record<string, string>;
  description: string | undefined;
  clientSecret: string;
}

export interface RefundRecord {
  id: string;
  account: string;
  amount: number;
  currency: string;
  paymentIntent: string;
  charge: string;
  created: number;
  reason: string | undefined;
  metadata: Record<string, string>;
}

export interface GrantedTokenRecord {
  id: string;
  account: string;
  paymentMethod: PaymentMethodRecord;
  currency: string;
  maxAmount: number;
  expiresAt: number;
  created: number;
  deactivatedAt: number | undefined;
  deactivatedReason: string | undefined;
}

/** A card's fingerprint: stable per test card, as Stripe's is per card number. */
export function fingerprintOf(cardName: string): string {
  return createHash('sha256').update(`double-card:${cardName}`).digest('base64url').slice(0, 16);
}

export function renderPaymentMethod(pm: PaymentMethodRecord): Record<string, unknown> {
  const { card } = pm;
  return {
    id: pm.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: {
        city: null,
        country: null,
        line1: null,
        line2: null,
        postal_code: null,
        state: null,
      },
      email: null,
      name: null,
      phone: null,
    },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: card.country,
      display_brand: card.brand,
      exp_month: 12,
      exp_year: new Date().getUTCFullYear() + 3,
      fingerprint: pm.fingerprint,
      funding: card.funding,
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: pm.created,
    customer: pm.customer ?? null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}

export function renderPaymentIntent(pi: PaymentIntentRecord): Record<string, unknown> {
  return {
    id: pi.id,
    object: 'payment_intent',
    amount: pi.amount,
    amount_capturable: pi.amountCapturable,
    amount_received: pi.amountReceived,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: pi.canceledAt ?? null,
    cancellation_reason: pi.cancellationReason ?? null,
    capture_method: pi.captureMethod,
    client_secret: pi.clientSecret,
    confirmation_method: 'automatic',
    created: pi.created,
    currency: pi.currency,
    customer: pi.customer ?? null,
    description: pi.description ?? null,
    invoice: null,
    last_payment_error: pi.lastPaymentError
      ? {
          ...pi.lastPaymentError,
          ...(pi.paymentMethod ? { payment_method: renderPaymentMethod(pi.paymentMethod) } : {}),
        }
      : null,
    latest_charge: pi.latestCharge ?? null,
    livemode: false,
    metadata: pi.metadata,
    next_action:
      pi.status === 'requires_action'
        ? { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } }
        : null,
    on_behalf_of: null,
    payment_method: pi.paymentMethod?.id ?? null,
    payment_method_types: ['card'],
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export function renderRefund(refund: RefundRecord): Record<string, unknown> {
  return {
    id: refund.id,
    object: 'refund',
    amount: refund.amount,
    balance_transaction: null,
    charge: refund.charge,
    created: refund.created,
    currency: refund.currency,
    metadata: refund.metadata,
    payment_intent: refund.paymentIntent,
    reason: refund.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

export function renderGrantedToken(token: GrantedTokenRecord): Record<string, unknown> {
  return {
    id: token.id,
    object: 'shared_payment.granted_token',
    created: token.created,
    livemode: false,
    deactivated_at: token.deactivatedAt ?? null,
    deactivated_reason: token.deactivatedReason ?? null,
    usage_limits: {
      currency: token.currency,
      max_amount: token.maxAmount,
      expires_at: token.expiresAt,
    },
  };
}
