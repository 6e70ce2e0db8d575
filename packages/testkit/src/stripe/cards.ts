/**
 * Stripe's test cards as the double knows them: the test PaymentMethods (`pm_card_*`) and test
 * tokens (`tok_*`) from Stripe's testing docs, each with the outcome a charge on it has.
 */
import { fingerprintOf } from './objects.js';

export type CardOutcome =
  | { kind: 'success' }
  | { kind: 'decline'; code: string; declineCode: string; message: string }
  | { kind: 'authentication_required' };

export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex' | 'discover';
  last4: string;
  funding: 'credit' | 'debit';
  country: string;
  outcome: CardOutcome;
}

const success: CardOutcome = { kind: 'success' };
const decline = (declineCode: string, message: string, code = 'card_declined'): CardOutcome => ({
  kind: 'decline',
  code,
  declineCode,
  message,
});

/** By the name after `pm_card_` / `tok_`. */
export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  visa: { brand: 'visa', last4: '4242', funding: 'credit', country: 'US', outcome: success },
  visa_debit: { brand: 'visa', last4: '5556', funding: 'debit', country: 'US', outcome: success },
  mastercard: {
    brand: 'mastercard',
    last4: '4444',
    funding: 'credit',
    country: 'US',
    outcome: success,
  },
  amex: { brand: 'amex', last4: '8431', funding: 'credit', country: 'US', outcome: success },
  discover: {
    brand: 'discover',
    last4: '1117',
    funding: 'credit',
    country: 'US',
    outcome: success,
  },
  chargeDeclined: {
    brand: 'visa',
    last4: '0002',
    funding: 'credit',
    country: 'US',
    outcome: decline('generic_decline', 'Your card was declined.'),
  },
  visa_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    funding: 'credit',
    country: 'US',
    outcome: decline('insufficient_funds', 'Your card has insufficient funds.'),
  },
  visa_chargeDeclinedLostCard: {
    brand: 'visa',
    last4: '9987',
    funding: 'credit',
    country: 'US',
    outcome: decline('lost_card', 'Your card was declined.'),
  },
  visa_chargeDeclinedStolenCard: {
    brand: 'visa',
    last4: '9979',
    funding: 'credit',
    country: 'US',
    outcome: decline('stolen_card', 'Your card was declined.'),
  },
  chargeDeclinedExpiredCard: {
    brand: 'visa',
    last4: '0069',
    funding: 'credit',
    country: 'US',
    outcome: decline('expired_card', 'Your card has expired.', 'expired_card'),
  },
  chargeDeclinedIncorrectCvc: {
    brand: 'visa',
    last4: '0127',
    funding: 'credit',
    country: 'US',
    outcome: decline('incorrect_cvc', "Your card's security code is incorrect.", 'incorrect_cvc'),
  },
  chargeDeclinedProcessingError: {
    brand: 'visa',
    last4: '0119',
    funding: 'credit',
    country: 'US',
    outcome: decline(
      'processing_error',
      'An error occurred while processing your card. Try again in a little bit.',
      'processing_error',
    ),
  },
  /** Saves to a customer fine; every charge of it is declined (Stripe's 4000000000000341). */
  chargeCustomerFail: {
    brand: 'visa',
    last4: '0341',
    funding: 'credit',
    country: 'US',
    outcome: decline('generic_decline', 'Your card was declined.'),
  },
  authenticationRequired: {
    brand: 'visa',
    last4: '3184',
    funding: 'credit',
    country: 'US',
    outcome: { kind: 'authentication_required' },
  },
};

/** The fingerprint the double gives every PaymentMethod of a test card (`tok_visa`, `pm_card_visa`). */
export function testCardFingerprint(id: string): string | undefined {
  const found = testCardOf(id);
  return found ? fingerprintOf(found.name) : undefined;
}

/** Stripe's token names that differ from the PaymentMethod names. */
const TOKEN_ALIASES: Readonly<Record<string, string>> = {
  chargeDeclinedInsufficientFunds: 'visa_chargeDeclinedInsufficientFunds',
  chargeDeclinedLostCard: 'visa_chargeDeclinedLostCard',
  chargeDeclinedStolenCard: 'visa_chargeDeclinedStolenCard',
  visa_chargeDeclined: 'chargeDeclined',
};

export function testCardOf(id: string): { name: string; card: TestCard } | undefined {
  const name = id.startsWith('pm_card_')
    ? id.slice('pm_card_'.length)
    : id.startsWith('tok_')
      ? id.slice('tok_'.length)
      : undefined;
  if (name === undefined) return undefined;
  const resolved = TEST_CARDS[name] ? name : TOKEN_ALIASES[name];
  const card = resolved === undefined ? undefined : TEST_CARDS[resolved];
  return card && resolved ? { name: resolved, card } : undefined;
}

/**
 * Stripe's documented minimum charge amounts, in minor units — the same table as the rail's,
 * kept here so the double does not depend on the rail it tests.
 * Source: https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts
 */
export const DOUBLE_MINIMUMS: Readonly<Record<string, number>> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};
