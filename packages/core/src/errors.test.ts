import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  describeReason,
  ERROR_REASONS,
  FacilitatorError,
  LedgerTransitionError,
  PayloadDecodeError,
  PaymentRefusedError,
  X402Error,
} from './errors.js';

describe('ERROR_REASONS', () => {
  it('maps every reason to an HTTP error status and a sentence', () => {
    for (const [reason, { status, message }] of Object.entries(ERROR_REASONS)) {
      expect(Number.isInteger(status), reason).toBe(true);
      expect(status, reason).toBeGreaterThanOrEqual(400);
      expect(status, reason).toBeLessThan(600);
      expect(message.length, reason).toBeGreaterThan(0);
      expect(message.endsWith('.'), reason).toBe(true);
    }
  });

  it('includes the x402 v2 specification reasons', () => {
    for (const reason of [
      'insufficient_funds',
      'invalid_network',
      'invalid_payload',
      'invalid_payment_requirements',
      'invalid_scheme',
      'unsupported_scheme',
      'invalid_x402_version',
      'invalid_transaction_state',
      'unexpected_verify_error',
      'unexpected_settle_error',
    ]) {
      expect(Object.hasOwn(ERROR_REASONS, reason), reason).toBe(true);
    }
  });
});

describe('describeReason', () => {
  it.each([
    ['payment_required', 402],
    ['invalid_payload', 400],
    ['invalid_x402_version', 400],
    ['invalid_amount', 400],
    ['insufficient_funds', 402],
    ['payment_already_used', 402],
    ['unexpected_verify_error', 500],
    ['unexpected_settle_error', 500],
    ['invalid_config', 500],
    ['invalid_facilitator_response', 502],
    ['facilitator_unavailable', 503],
  ] as const)('%s is HTTP %i with its table message', (reason, status) => {
    expect(describeReason(reason)).toEqual({ status, message: ERROR_REASONS[reason].message });
  });

  it('gives the documented messages', () => {
    expect(describeReason('payment_required').message).toBe(
      'Payment is required to access this resource.',
    );
    expect(describeReason('invalid_x402_version').message).toBe(
      'This x402 protocol version is not accepted here (version 2 in PAYMENT-SIGNATURE, version 1 in X-PAYMENT).',
    );
  });

  it('maps every table entry to itself', () => {
    for (const [reason, entry] of Object.entries(ERROR_REASONS))
      expect(describeReason(reason)).toEqual(entry);
  });

  it('maps a rail-specific reason to 402 and names it', () => {
    expect(describeReason('invalid_exact_evm_payload_signature')).toEqual({
      status: 402,
      message: 'The payment was refused (invalid_exact_evm_payload_signature).',
    });
    expect(describeReason('')).toEqual({ status: 402, message: 'The payment was refused ().' });
    expect(describeReason('INVALID_PAYLOAD').status).toBe(402);
  });

  // Reasons can come from a facilitator over the network; object prototype keys are not table entries.
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])(
    'treats the prototype key %j as an unknown reason',
    (reason) => {
      expect(describeReason(reason)).toEqual({
        status: 402,
        message: `The payment was refused (${reason}).`,
      });
      const error = new X402Error(reason);
      expect(error.status).toBe(402);
      expect(error.message).toBe(`The payment was refused (${reason}).`);
    },
  );
});

describe('X402Error', () => {
  it('carries code, status and the table message by default', () => {
    const error = new X402Error('insufficient_funds');
    expect(error.code).toBe('insufficient_funds');
    expect(error.status).toBe(402);
    expect(error.message).toBe('The payer does not have enough funds.');
    expect(error.details).toEqual({});
    expect(error.cause).toBeUndefined();
    expect(error.name).toBe('X402Error');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(X402Error);
    expect(String(error)).toBe('X402Error: The payer does not have enough funds.');
  });

  it('takes a message, details and cause', () => {
    const cause = new TypeError('socket hang up');
    const error = new X402Error('facilitator_unavailable', {
      message: 'Facilitator at https://x402.org/facilitator is down',
      details: { url: 'https://x402.org/facilitator', attempt: 2 },
      cause,
    });
    expect(error.message).toBe('Facilitator at https://x402.org/facilitator is down');
    expect(error.details).toEqual({ url: 'https://x402.org/facilitator', attempt: 2 });
    expect(error.cause).toBe(cause);
    expect(error.status).toBe(503);
    expect(error.code).toBe('facilitator_unavailable');
  });

  it('keeps an empty message when given one explicitly', () => {
    expect(new X402Error('invalid_payload', { message: '' }).message).toBe('');
  });

  it('keeps a non-Error cause', () => {
    expect(new X402Error('settlement_failed', { cause: { code: 42 } }).cause).toEqual({ code: 42 });
  });

  it('derives the status from the code, for rail reasons too', () => {
    expect(new X402Error('invalid_exact_evm_payload_signature').status).toBe(402);
    expect(new X402Error('invalid_exact_evm_payload_signature').message).toBe(
      'The payment was refused (invalid_exact_evm_payload_signature).',
    );
    expect(new X402Error('invalid_config').status).toBe(500);
  });

  it('has a stack', () => {
    expect(new X402Error('invalid_payload').stack).toContain('errors.test.ts');
  });
});

describe('subclasses', () => {
  const cases = [
    [
      'PayloadDecodeError',
      () => new PayloadDecodeError('invalid_payload'),
      PayloadDecodeError,
      'invalid_payload',
      400,
    ],
    [
      'ConfigError',
      () => new ConfigError('bad price', { price: '-1' }),
      ConfigError,
      'invalid_config',
      500,
    ],
    [
      'FacilitatorError',
      () => new FacilitatorError('invalid_facilitator_response'),
      FacilitatorError,
      'invalid_facilitator_response',
      502,
    ],
    [
      'PaymentRefusedError',
      () => new PaymentRefusedError('policy_rejected'),
      PaymentRefusedError,
      'policy_rejected',
      402,
    ],
    [
      'LedgerTransitionError',
      () => new LedgerTransitionError('invalid_transaction_state'),
      LedgerTransitionError,
      'invalid_transaction_state',
      402,
    ],
  ] as const;

  it.each(cases)(
    '%s is an X402Error and an Error with its own name',
    (name, make, type, code, status) => {
      const error = make();
      expect(error).toBeInstanceOf(type);
      expect(error).toBeInstanceOf(X402Error);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(String(error).startsWith(`${name}: `)).toBe(true);
    },
  );

  it('subclasses are distinct', () => {
    const all = cases.map(([, make]) => make());
    for (const [i, [, , type]] of cases.entries()) {
      expect(all.filter((e) => e instanceof type)).toEqual([all[i]]);
    }
  });

  it('ConfigError takes a message and details', () => {
    const error = new ConfigError('Unknown network eip155:1', { network: 'eip155:1' });
    expect(error.message).toBe('Unknown network eip155:1');
    expect(error.details).toEqual({ network: 'eip155:1' });
    expect(new ConfigError('x').details).toEqual({});
  });

  it('subclasses other than ConfigError take any code and options', () => {
    const cause = new Error('boom');
    const error = new FacilitatorError('facilitator_unavailable', {
      message: 'down',
      details: { a: 1 },
      cause,
    });
    expect(error).toMatchObject({
      code: 'facilitator_unavailable',
      message: 'down',
      details: { a: 1 },
      status: 503,
    });
    expect(error.cause).toBe(cause);
    const decode = new PayloadDecodeError('invalid_x402_version');
    expect(decode.status).toBe(400);
    expect(decode.message).toBe(
      'This x402 protocol version is not accepted here (version 2 in PAYMENT-SIGNATURE, version 1 in X-PAYMENT).',
    );
  });
});
