import { describe, expect, it } from 'vitest';
import { encodeBase64Json } from './codec.js';
import {
  decodePaymentHeaderV1,
  encodePaymentResponseHeaderV1,
  LEGACY_NETWORKS,
  networkFromV1,
  networkToV1,
  type PaymentPayloadV1,
  paymentPayloadFromV1,
  paymentRequiredToV1,
} from './codec-v1.js';
import { PayloadDecodeError } from './errors.js';
import type { PaymentRequirements } from './schemas.js';

const evmOffer: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  maxTimeoutSeconds: 60,
  extra: { name: 'USDC', version: '2' },
};

describe('legacy network names', () => {
  it.each([
    ['base', 'eip155:8453'],
    ['base-sepolia', 'eip155:84532'],
    ['avalanche', 'eip155:43114'],
    ['avalanche-fuji', 'eip155:43113'],
    ['polygon', 'eip155:137'],
    ['polygon-amoy', 'eip155:80002'],
    ['solana', 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp'],
    ['solana-devnet', 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1'],
  ])('%s ⇄ %s', (name, caip2) => {
    expect(networkFromV1(name)).toBe(caip2);
    expect(networkToV1(caip2)).toBe(name);
  });

  it('passes CAIP-2 ids without a legacy name through, both ways', () => {
    expect(networkToV1('eip155:31337')).toBe('eip155:31337');
    expect(networkFromV1('eip155:31337')).toBe('eip155:31337');
  });

  it('knows no other name, nor the prototype of the table', () => {
    for (const name of ['nowhere', 'Base', '__proto__', 'constructor', 'toString', ''])
      expect(networkFromV1(name)).toBeUndefined();
  });

  it('maps every legacy name to a distinct CAIP-2 id', () => {
    const ids = Object.values(LEGACY_NETWORKS);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('X-PAYMENT', () => {
  const v1: PaymentPayloadV1 = {
    x402Version: 1,
    scheme: 'exact',
    network: 'base-sepolia',
    payload: { a: 1 },
  };

  it('decodes a v1 payload and refuses any other version with invalid_x402_version', () => {
    expect(decodePaymentHeaderV1(encodeBase64Json(v1))).toEqual(v1);
    expect(() => decodePaymentHeaderV1(encodeBase64Json({ ...v1, x402Version: 2 }))).toThrow(
      expect.objectContaining({ code: 'invalid_x402_version' }),
    );
  });

  it('refuses oversized and malformed headers with invalid_payload', () => {
    for (const bad of [
      'A'.repeat(17 * 1024),
      'not base64!',
      encodeBase64Json({ x402Version: 1 }),
    ]) {
      expect(() => decodePaymentHeaderV1(bad)).toThrow(PayloadDecodeError);
    }
  });

  it('becomes a v2 payload accepting the offer of its scheme and network', () => {
    const other = { ...evmOffer, network: 'eip155:8453' as const };
    expect(paymentPayloadFromV1(v1, [other, evmOffer])).toEqual({
      x402Version: 2,
      accepted: evmOffer,
      payload: { a: 1 },
    });
  });

  it('carries only the kind when nothing of that kind is offered, and refuses unknown names', () => {
    expect(paymentPayloadFromV1(v1, []).accepted).toMatchObject({
      scheme: 'exact',
      network: 'eip155:84532',
    });
    expect(() => paymentPayloadFromV1({ ...v1, network: 'nowhere' }, [evmOffer])).toThrow(
      expect.objectContaining({ code: 'invalid_network' }),
    );
  });
});

describe('v1 answers', () => {
  it('writes the 402 body with legacy names and maxAmountRequired', () => {
    const body = paymentRequiredToV1(
      {
        x402Version: 2,
        resource: { url: 'https://api.example.com/premium', description: 'Premium data' },
        accepts: [evmOffer],
      },
      'payment_required',
    );
    expect(body).toEqual({
      x402Version: 1,
      error: 'payment_required',
      accepts: [
        {
          scheme: 'exact',
          network: 'base-sepolia',
          maxAmountRequired: '10000',
          resource: 'https://api.example.com/premium',
          description: 'Premium data',
          mimeType: '',
          payTo: evmOffer.payTo,
          maxTimeoutSeconds: 60,
          asset: evmOffer.asset,
          extra: { name: 'USDC', version: '2' },
        },
      ],
    });
  });

  it('writes X-PAYMENT-RESPONSE with the legacy network name', () => {
    const header = encodePaymentResponseHeaderV1({
      success: true,
      transaction: '0xabc',
      network: 'eip155:8453',
      payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
      amount: '10000',
    });
    expect(JSON.parse(Buffer.from(header, 'base64').toString('utf8'))).toEqual({
      success: true,
      transaction: '0xabc',
      network: 'base',
      payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
    });
  });
});
