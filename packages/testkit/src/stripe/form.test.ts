import { describe, expect, it } from 'vitest';
import { FormError, parseForm } from './form.js';

describe('parseForm', () => {
  it('reads nested hashes and lists as stripe-node encodes them', () => {
    expect(
      parseForm(
        'amount=500&metadata[a]=1&metadata[b]=x%20y&payment_method_types[0]=card&payment_method_types[1]=link&usage_limits[max_amount]=5&expand[]=x',
      ),
    ).toEqual({
      amount: '500',
      metadata: { a: '1', b: 'x y' },
      payment_method_types: ['card', 'link'],
      usage_limits: { max_amount: '5' },
      expand: ['x'],
    });
  });

  it('refuses a key that is both a value and a hash', () => {
    expect(() => parseForm('a=1&a[b]=2')).toThrow(FormError);
    expect(() => parseForm('a[b]=2&a=1')).toThrow(FormError);
    expect(() => parseForm('a]=1')).toThrow(FormError);
  });
});
