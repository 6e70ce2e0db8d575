import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../test/thrown-by.js';
import {
  DEFAULT_MAX_HEADER_BYTES,
  decodeBase64Json,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  encodeBase64Json,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  HEADERS,
} from './codec.js';
import { PayloadDecodeError, X402Error } from './errors.js';
import type {
  PaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  SettleResponse,
} from './schemas.js';
import { PaymentPayloadSchema, PaymentRequiredSchema, SettleResponseSchema } from './schemas.js';

// Realistic x402 v2 objects, shaped like the examples of the x402 v2 specification (exact, Base Sepolia USDC).
const requirements: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  maxTimeoutSeconds: 60,
  extra: { name: 'USDC', version: '2' },
};

const paymentRequired: PaymentRequired = {
  x402Version: 2,
  error: 'PAYMENT-SIGNATURE header is required',
  resource: {
    url: 'https://api.example.com/premium-data',
    description: 'Access to premium market data',
    mimeType: 'application/json',
  },
  accepts: [requirements],
  extensions: {},
};

const paymentPayload: PaymentPayload = {
  x402Version: 2,
  resource: {
    url: 'https://api.example.com/premium-data',
    description: 'Access to premium market data',
    mimeType: 'application/json',
  },
  accepted: requirements,
  payload: {
    signature:
      '0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c',
    authorization: {
      from: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
      to: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
      value: '10000',
      validAfter: '1740672089',
      validBefore: '1740672154',
      nonce: '0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480',
    },
  },
  extensions: {},
};

const settleResponse: SettleResponse = {
  success: true,
  transaction: '0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef',
  network: 'eip155:84532',
  payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
};

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const b64json = (value: unknown): string => b64(JSON.stringify(value));

/** Returns the PayloadDecodeError `fn` throws; fails when it throws anything else or nothing. */
function decodeError(fn: () => unknown): PayloadDecodeError {
  const error = thrownBy(fn, PayloadDecodeError);
  return error;
}

function invalidPayload(fn: () => unknown): PayloadDecodeError {
  const error = decodeError(fn);
  expect(error.code).toBe('invalid_payload');
  expect(error.status).toBe(400);
  return error;
}

describe('header names', () => {
  it('are the x402 v2 names', () => {
    expect(HEADERS.paymentRequired).toBe('PAYMENT-REQUIRED');
    expect(HEADERS.paymentSignature).toBe('PAYMENT-SIGNATURE');
    expect(HEADERS.paymentResponse).toBe('PAYMENT-RESPONSE');
    expect(HEADERS.legacyPayment).toBe('X-PAYMENT');
    expect(DEFAULT_MAX_HEADER_BYTES).toBe(16 * 1024);
  });
});

describe('round trips', () => {
  it('PAYMENT-REQUIRED', () => {
    const header = encodePaymentRequiredHeader(paymentRequired);
    expect(header).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(decodePaymentRequiredHeader(header)).toEqual(paymentRequired);
  });

  it('PAYMENT-REQUIRED with several accepts and extensions', () => {
    const value: PaymentRequired = {
      x402Version: 2,
      resource: { url: 'https://api.example.com/weather' },
      accepts: [
        requirements,
        {
          ...requirements,
          network: 'eip155:8453',
          asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
        },
        {
          scheme: 'exact',
          network: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
          amount: '1000',
          asset: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
          payTo: '2wKupLR9q6wXYppw8Gr2NvWxKBUqm4PPJKkQfoxHDBg4',
          maxTimeoutSeconds: 300,
        },
      ],
      extensions: {
        bazaar: { info: { input: { type: 'http', method: 'GET' } }, schema: { type: 'object' } },
      },
    };
    expect(decodePaymentRequiredHeader(encodePaymentRequiredHeader(value))).toEqual(value);
  });

  it('PAYMENT-SIGNATURE', () => {
    const header = encodePaymentSignatureHeader(paymentPayload);
    expect(decodePaymentSignatureHeader(header)).toEqual(paymentPayload);
  });

  it('PAYMENT-SIGNATURE without the optional resource and extensions', () => {
    const { resource: _r, extensions: _e, ...minimal } = paymentPayload;
    expect(decodePaymentSignatureHeader(encodePaymentSignatureHeader(minimal))).toEqual(minimal);
  });

  it('PAYMENT-RESPONSE, success and failure', () => {
    expect(decodePaymentResponseHeader(encodePaymentResponseHeader(settleResponse))).toEqual(
      settleResponse,
    );
    const failed: SettleResponse = {
      success: false,
      errorReason: 'insufficient_funds',
      transaction: '',
      network: 'eip155:84532',
      payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
    };
    expect(decodePaymentResponseHeader(encodePaymentResponseHeader(failed))).toEqual(failed);
  });

  it('keeps non-ASCII text intact through UTF-8', () => {
    const value: PaymentRequired = {
      ...paymentRequired,
      error: 'Paiement requis — 支付 💸',
      resource: {
        url: 'https://api.example.com/café',
        description: 'Données météo für München 🌦️ — 天気',
      },
    };
    const header = encodePaymentRequiredHeader(value);
    // Base64 is ASCII, whatever the content.
    expect(/^[\x20-\x7e]*$/.test(header)).toBe(true);
    const decoded = decodePaymentRequiredHeader(header);
    expect(decoded.resource.description).toBe('Données météo für München 🌦️ — 天気');
    expect(decoded.error).toBe('Paiement requis — 支付 💸');
    expect(decoded).toEqual(value);
  });

  it('tolerates whitespace around the header value (HTTP optional whitespace)', () => {
    const header = encodePaymentSignatureHeader(paymentPayload);
    expect(decodePaymentSignatureHeader(`  ${header}\t`)).toEqual(paymentPayload);
  });

  it('decodes a payload with unknown top-level fields', () => {
    const decoded = decodePaymentSignatureHeader(
      b64json({ ...paymentPayload, somethingNew: true }),
    );
    expect(decoded.accepted).toEqual(requirements);
    expect(decoded.payload).toEqual(paymentPayload.payload);
  });
});

describe('compatibility with the official SDK encoding', () => {
  it.each([
    ['PAYMENT-REQUIRED', () => encodePaymentRequiredHeader(paymentRequired), paymentRequired],
    ['PAYMENT-SIGNATURE', () => encodePaymentSignatureHeader(paymentPayload), paymentPayload],
    ['PAYMENT-RESPONSE', () => encodePaymentResponseHeader(settleResponse), settleResponse],
  ] as const)('%s is base64 of the UTF-8 JSON', (_name, encode, value) => {
    expect(encode()).toBe(Buffer.from(JSON.stringify(value)).toString('base64'));
  });

  it('encodeBase64Json matches Buffer for non-ASCII values too', () => {
    const value = { text: 'ü€😀', n: 1 };
    expect(encodeBase64Json(value)).toBe(Buffer.from(JSON.stringify(value)).toString('base64'));
  });

  it('decodes what the official SDK encodes', () => {
    expect(
      decodePaymentSignatureHeader(Buffer.from(JSON.stringify(paymentPayload)).toString('base64')),
    ).toEqual(paymentPayload);
  });
});

describe('decode errors', () => {
  it('refuses a header over the default 16 KiB before decoding it', () => {
    // 20 KiB of perfectly valid base64: only the size check can refuse it.
    const big = 'A'.repeat(20 * 1024);
    const error = invalidPayload(() => decodePaymentSignatureHeader(big));
    expect(error.message).toContain(`larger than ${DEFAULT_MAX_HEADER_BYTES} bytes`);
    expect(error.details).toMatchObject({ header: 'PAYMENT-SIGNATURE', size: 20 * 1024 });
  });

  it('refuses an oversized header even when it would be a valid payload', () => {
    const padded: PaymentPayload = {
      ...paymentPayload,
      payload: { ...paymentPayload.payload, pad: 'x'.repeat(17_000) },
    };
    const header = encodePaymentSignatureHeader(padded);
    expect(header.length).toBeGreaterThan(DEFAULT_MAX_HEADER_BYTES);
    expect(decodePaymentSignatureHeader(header, { maxBytes: header.length })).toEqual(padded);
    expect(invalidPayload(() => decodePaymentSignatureHeader(header)).message).toContain(
      'larger than',
    );
  });

  it('accepts a header of exactly maxBytes and refuses one byte more', () => {
    const header = encodePaymentSignatureHeader(paymentPayload);
    expect(decodePaymentSignatureHeader(header, { maxBytes: header.length })).toEqual(
      paymentPayload,
    );
    const error = invalidPayload(() =>
      decodePaymentSignatureHeader(header, { maxBytes: header.length - 1 }),
    );
    expect(error.message).toContain(`larger than ${header.length - 1} bytes`);
  });

  it('applies a custom maxBytes to every header kind', () => {
    const maxBytes = 64;
    const value = 'A'.repeat(maxBytes + 4);
    for (const decode of [
      decodePaymentRequiredHeader,
      decodePaymentSignatureHeader,
      decodePaymentResponseHeader,
    ]) {
      expect(invalidPayload(() => decode(value, { maxBytes })).message).toContain(
        'larger than 64 bytes',
      );
    }
  });

  it('counts surrounding whitespace against the size limit', () => {
    const header = encodePaymentSignatureHeader(paymentPayload);
    invalidPayload(() => decodePaymentSignatureHeader(`${header}  `, { maxBytes: header.length }));
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
  ])('refuses an %s header', (_name, value) => {
    expect(invalidPayload(() => decodePaymentSignatureHeader(value)).message).toContain('empty');
  });

  it.each([
    ['percent signs', '%%%'],
    ['percent signs, length 4', '%%%%'],
    [
      'base64url characters',
      b64json(paymentPayload).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') + '-_',
    ],
    ['base64url dash and underscore', 'ab-_'],
    ['missing padding', 'YWJj'.slice(0, 3)],
    ['one char too many', 'YWJjZ'],
    ['three padding characters', 'YQ==='],
    ['padding in the middle', 'YQ==YWJj'],
    ['only padding', '===='],
    ['inner space', 'YWJj ZGVm'],
    ['inner newline', 'YWJj\nZGVm'],
    ['inner space, length a multiple of 4', 'YWJj ZGV'],
    ['inner tab, length a multiple of 4', 'YWJj\tZGV'],
    ['padding inside a group', 'YW=jZGVm'],
    ['space before padding', 'YQ ='],
    ['dot, length a multiple of 4', 'YWJj.GVm'],
    ['non-ASCII', 'YWJjé==='],
    ['a JSON value instead of base64', '{"x402Version":2}'],
  ])('refuses %s as not standard base64', (_name, value) => {
    expect(invalidPayload(() => decodePaymentSignatureHeader(value)).message).toContain(
      'not standard base64',
    );
  });

  it.each([
    ['plain text', b64('hello world')],
    ['truncated JSON', b64('{"x402Version":2,')],
    ['JSON with a trailing comma', b64('{"x402Version":2,}')],
    ['single-quoted JSON', b64("{'x402Version':2}")],
    ['JavaScript, not JSON', b64('{x402Version: 2}')],
  ])('refuses base64 of %s as not UTF-8 JSON', (_name, value) => {
    const error = invalidPayload(() => decodePaymentSignatureHeader(value));
    expect(error.message).toContain('not UTF-8 JSON');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses base64 of bytes that are not valid UTF-8', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"x402Version":2,"e":"'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}'),
    ]);
    const error = invalidPayload(() => decodePaymentSignatureHeader(bytes.toString('base64')));
    expect(error.message).toContain('not UTF-8 JSON');
    expect(error.cause).toBeInstanceOf(TypeError);
    // An overlong encoding of "/" and a lone surrogate are invalid UTF-8 too.
    invalidPayload(() =>
      decodePaymentSignatureHeader(Buffer.from([0x22, 0xc0, 0xaf, 0x22]).toString('base64')),
    );
    invalidPayload(() =>
      decodePaymentSignatureHeader(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]).toString('base64')),
    );
  });

  const { accepted: _accepted, ...withoutAccepted } = paymentPayload;
  const { x402Version: _version, ...withoutVersion } = paymentPayload;
  it.each([
    ['missing accepted', withoutAccepted, 'accepted'],
    ['missing payload', { ...paymentPayload, payload: undefined }, 'payload'],
    [
      'amount as a number',
      { ...paymentPayload, accepted: { ...requirements, amount: 10000 } },
      'accepted.amount',
    ],
    [
      'amount negative',
      { ...paymentPayload, accepted: { ...requirements, amount: '-1' } },
      'accepted.amount',
    ],
    [
      'amount with decimals',
      { ...paymentPayload, accepted: { ...requirements, amount: '0.01' } },
      'accepted.amount',
    ],
    [
      'amount with exponent',
      { ...paymentPayload, accepted: { ...requirements, amount: '1e4' } },
      'accepted.amount',
    ],
    [
      'amount with leading zero',
      { ...paymentPayload, accepted: { ...requirements, amount: '010000' } },
      'accepted.amount',
    ],
    [
      'network not CAIP-2',
      { ...paymentPayload, accepted: { ...requirements, network: 'base-sepolia' } },
      'accepted.network',
    ],
    [
      'network upper-case namespace',
      { ...paymentPayload, accepted: { ...requirements, network: 'EIP155:84532' } },
      'accepted.network',
    ],
    [
      'empty scheme',
      { ...paymentPayload, accepted: { ...requirements, scheme: '' } },
      'accepted.scheme',
    ],
    [
      'timeout zero',
      { ...paymentPayload, accepted: { ...requirements, maxTimeoutSeconds: 0 } },
      'accepted.maxTimeoutSeconds',
    ],
    [
      'timeout fractional',
      { ...paymentPayload, accepted: { ...requirements, maxTimeoutSeconds: 1.5 } },
      'accepted.maxTimeoutSeconds',
    ],
    ['payload is an array', { ...paymentPayload, payload: ['0x'] }, 'payload'],
    ['payload is a string', { ...paymentPayload, payload: '0x' }, 'payload'],
    ['x402Version missing', withoutVersion, 'x402Version'],
    ['resource without url', { ...paymentPayload, resource: { description: 'x' } }, 'resource.url'],
  ])('refuses a payment payload with %s', (_name, value, path) => {
    const error = invalidPayload(() => decodePaymentSignatureHeader(b64json(value)));
    expect(error.message.startsWith('PAYMENT-SIGNATURE: ')).toBe(true);
    expect(error.message).toContain(`${path}:`);
    expect(error.details).toMatchObject({ header: 'PAYMENT-SIGNATURE' });
  });

  it.each([
    ['null', null],
    ['a number', 2],
    ['a string', 'x402'],
    ['an array', [paymentPayload]],
    ['an empty object', {}],
  ])('refuses JSON %s at the root', (_name, value) => {
    invalidPayload(() => decodePaymentSignatureHeader(b64json(value)));
  });

  it('refuses wrong shapes for PAYMENT-REQUIRED and PAYMENT-RESPONSE with their own header name', () => {
    const required = invalidPayload(() =>
      decodePaymentRequiredHeader(b64json({ ...paymentRequired, accepts: 'exact' })),
    );
    expect(required.message).toMatch(/^PAYMENT-REQUIRED: accepts:/);
    const tooMany = { ...paymentRequired, accepts: Array.from({ length: 65 }, () => requirements) };
    invalidPayload(() =>
      decodePaymentRequiredHeader(encodeBase64Json(tooMany), { maxBytes: 1_000_000 }),
    );
    const response = invalidPayload(() =>
      decodePaymentResponseHeader(b64json({ ...settleResponse, network: 'not a network' })),
    );
    expect(response.message).toMatch(/^PAYMENT-RESPONSE: network:/);
    invalidPayload(() =>
      decodePaymentResponseHeader(
        b64json({ success: 'true', transaction: '', network: 'eip155:1' }),
      ),
    );
    const { transaction: _t, ...noTransaction } = settleResponse;
    invalidPayload(() => decodePaymentResponseHeader(b64json(noTransaction)));
  });

  it.each([1, 3, 0, '2', null, 2.5])(
    'refuses x402Version %j with invalid_x402_version',
    (version) => {
      const error = decodeError(() =>
        decodePaymentSignatureHeader(b64json({ ...paymentPayload, x402Version: version })),
      );
      expect(error.code).toBe('invalid_x402_version');
      expect(error.status).toBe(400);
      expect(error.details).toMatchObject({ header: 'PAYMENT-SIGNATURE', x402Version: version });
      expect(error.message).toContain('version 2');
    },
  );

  it('refuses an x402 version 1 PAYMENT-REQUIRED body with invalid_x402_version', () => {
    const v1 = {
      x402Version: 1,
      error: 'X-PAYMENT header is required',
      accepts: [{ scheme: 'exact', network: 'base-sepolia', maxAmountRequired: '10000' }],
    };
    expect(decodeError(() => decodePaymentRequiredHeader(b64json(v1))).code).toBe(
      'invalid_x402_version',
    );
  });

  it('every decode error is an X402Error and an Error', () => {
    const error = decodeError(() => decodePaymentSignatureHeader('%%%'));
    expect(error).toBeInstanceOf(X402Error);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PayloadDecodeError');
  });
});

describe('decodeBase64Json', () => {
  it('decodes against any schema and names the header in errors', () => {
    expect(decodeBase64Json('X', encodeBase64Json(settleResponse), SettleResponseSchema)).toEqual(
      settleResponse,
    );
    const error = invalidPayload(() =>
      decodeBase64Json('MY-HEADER', b64json({}), PaymentRequiredSchema),
    );
    expect(error.message.startsWith('MY-HEADER: ')).toBe(true);
    expect(error.details['header']).toBe('MY-HEADER');
  });
});

describe('property: decoding never throws anything but PayloadDecodeError', () => {
  function check(value: string): void {
    let result: unknown;
    try {
      result = decodePaymentSignatureHeader(value);
    } catch (error) {
      if (!(error instanceof PayloadDecodeError)) throw error;
      expect(['invalid_payload', 'invalid_x402_version']).toContain(error.code);
      return;
    }
    expect(PaymentPayloadSchema.safeParse(result).success).toBe(true);
  }

  it('for arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), check), {
      numRuns: 300,
    });
  });

  it('for arbitrary base64 strings', () => {
    fc.assert(fc.property(fc.base64String({ maxLength: 400 }), check), { numRuns: 1000 });
  });

  it('for base64 of arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => check(b64json(value))),
      { numRuns: 1000 },
    );
  });

  it('for base64 of JSON close to a payment payload', () => {
    const json = fc.jsonValue({ maxDepth: 2 });
    const nearPayload = fc.record(
      {
        x402Version: fc.oneof(fc.constant(2), json),
        resource: fc.oneof(fc.constant(paymentPayload.resource), fc.record({ url: json }), json),
        accepted: fc.oneof(
          fc.constant(requirements),
          fc.record(
            {
              scheme: fc.oneof(fc.constant('exact'), json),
              network: fc.oneof(fc.constant('eip155:84532'), fc.string(), json),
              amount: fc.oneof(fc.bigInt({ min: -10n, max: 10n ** 80n }).map(String), json),
              asset: fc.oneof(fc.constant(requirements.asset), json),
              payTo: fc.oneof(fc.constant(requirements.payTo), json),
              maxTimeoutSeconds: fc.oneof(fc.integer(), fc.double(), json),
              extra: json,
            },
            { requiredKeys: [] },
          ),
          json,
        ),
        payload: fc.oneof(fc.dictionary(fc.string(), json), json),
        extensions: fc.oneof(fc.dictionary(fc.string(), json), json),
      },
      { requiredKeys: [] },
    );
    let accepted = 0;
    fc.assert(
      fc.property(nearPayload, (value) => {
        const header = b64json(value);
        check(header);
        const parsed = PaymentPayloadSchema.safeParse(JSON.parse(JSON.stringify(value)));
        if (parsed.success) {
          accepted++;
          // When the JSON is valid, decoding gives back exactly what the schema gives.
          expect(decodePaymentSignatureHeader(header, { maxBytes: 1_000_000 })).toEqual(
            parsed.data,
          );
        }
      }),
      { numRuns: 1000 },
    );
    // The generator must reach the success path, or the property proves little.
    expect(accepted).toBeGreaterThan(0);
  });

  it('a valid header with one character replaced by a non-alphabet character is never standard base64', () => {
    const header = encodePaymentSignatureHeader(paymentPayload);
    fc.assert(
      fc.property(
        fc.nat({ max: header.length - 1 }),
        fc.constantFrom(' ', '\t', '\n', '%', '.', '-', '_', '*', ',', '\u00e9', '\u0000'),
        (index, char) => {
          const broken = header.slice(0, index) + char + header.slice(index + 1);
          const error = invalidPayload(() => decodePaymentSignatureHeader(broken));
          // Whitespace at either end is trimmed, which leaves a length that is not a multiple of 4.
          expect(error.message).toContain('not standard base64');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('for base64 of deeply nested JSON', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    invalidPayload(() => decodePaymentSignatureHeader(b64(deep)));
    const deepPayload = `{"x402Version":2,"accepted":${JSON.stringify(requirements)},"payload":{"a":${'['.repeat(4000)}${']'.repeat(4000)}}}`;
    expect(decodePaymentSignatureHeader(b64(deepPayload)).accepted).toEqual(requirements);
  });
});

describe('extra: null from the official SDK', () => {
  it('reads `extra: null` in accepted requirements as no extra', async () => {
    const { decodePaymentSignatureHeader: decode, encodeBase64Json: encode } = await import(
      './codec.js'
    );
    const payload = decode(
      encode({
        x402Version: 2,
        accepted: {
          scheme: 'exact',
          network: 'eip155:8453',
          amount: '1',
          asset: '0xA',
          payTo: '0xB',
          maxTimeoutSeconds: 60,
          extra: null,
        },
        payload: {},
      }),
    );
    expect('extra' in payload.accepted).toBe(false);
  });
});
