import { describe, expect, it } from 'vitest';
import { parseStripeCardPayload } from './payload.js';

const good = {
  paymentMethod: 'pm_card_visa',
  paymentId: 'pay_0123456789abcdefXYZ',
  amount: '50',
  currency: 'usd',
  payTo: 'acct_1',
};

describe('parseStripeCardPayload', () => {
  it('accepts exactly one credential', () => {
    expect(parseStripeCardPayload(good)).toMatchObject({ ok: true, credential: 'pm_card_visa' });
    const { paymentMethod: _, ...noCredential } = good;
    expect(
      parseStripeCardPayload({ ...noCredential, sharedPaymentToken: 'spt_abc' }),
    ).toMatchObject({ ok: true, credential: 'spt_abc' });
    expect(parseStripeCardPayload(noCredential).ok).toBe(false);
    expect(parseStripeCardPayload({ ...good, sharedPaymentToken: 'spt_abc' }).ok).toBe(false);
  });

  it.each([
    { ...good, paymentMethod: 'tok_visa' },
    { ...good, paymentMethod: 'pm_x y' },
    { ...good, paymentId: 'short' },
    { ...good, amount: '0' },
    { ...good, amount: '1.5' },
    { ...good, currency: 'USD' },
    { ...good, payTo: '0xabc' },
    { ...good, extra: 'field' },
    { ...good, card: { number: '4242424242424242' } },
    null,
    'pm_card_visa',
  ])('refuses %j', (body) => {
    expect(parseStripeCardPayload(body).ok).toBe(false);
  });

  it('names a card number as the reason', () => {
    const parsed = parseStripeCardPayload({ ...good, paymentId: 'pay_4242424242424242xx' });
    expect(parsed).toMatchObject({ ok: false, message: expect.stringMatching(/card number/) });
  });
});
