import { describe, expect, it } from 'vitest';
import { containsCardNumber, passesLuhn } from './luhn.js';

describe('card number detection', () => {
  it('knows the Luhn check', () => {
    expect(passesLuhn('4242424242424242')).toBe(true);
    expect(passesLuhn('4242424242424241')).toBe(false);
    expect(passesLuhn('378282246310005')).toBe(true);
  });

  it.each([
    '4242424242424242',
    '4242 4242 4242 4242',
    '4242-4242-4242-4242',
    'card:4000056655665556;cvc=123',
    '378282246310005',
    '6011111111111117',
  ])('finds %s', (text) => {
    expect(containsCardNumber({ paymentMethod: 'pm_card_visa', note: text })).toBe(true);
  });

  it('looks everywhere: nested values, arrays, keys and numbers', () => {
    expect(containsCardNumber({ a: [{ b: '4242424242424242' }] })).toBe(true);
    expect(containsCardNumber({ '5555555555554444': 'x' })).toBe(true);
    expect(containsCardNumber({ n: 4242424242424242 })).toBe(true);
  });

  it('leaves ids, amounts and short or failing digit runs alone', () => {
    expect(
      containsCardNumber({
        paymentMethod: 'pm_1PqR2sT3uV4wX5yZ',
        sharedPaymentToken: 'spt_1N4bX2eZvKYlo2C0',
        paymentId: 'pay_Yk3u9xw0aB1c2D3e4F5g6H',
        amount: '500',
        currency: 'usd',
        payTo: 'acct_1032D82eZvKYlo2C',
        t: '4242424242424241',
        short: '42424242424',
      }),
    ).toBe(false);
  });
});
