/** The payment id of an exact-EVM payload: `eip155:<chainId>:<asset>:<from>:<nonce>`, lowercase. */
import { PayloadDecodeError, type PaymentPayload } from '@x402-rails/core';
import { chainIdOf } from './networks.js';
import { parseExactEvmPayload } from './payload.js';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * The key that makes an authorization usable once: the token's EIP-3009 nonce space is per
 * (chain, token, payer), so `(chainId, asset, from, nonce)` names exactly one possible transfer.
 */
export function exactEvmPaymentId(payment: PaymentPayload): string {
  const parsed = parseExactEvmPayload(payment.payload);
  const chainId = chainIdOf(payment.accepted?.network ?? '');
  const asset = payment.accepted?.asset ?? '';
  if (!parsed || chainId === undefined || !ADDRESS.test(asset)) {
    throw new PayloadDecodeError('invalid_payload', {
      message: 'Not an exact-EVM payment payload',
    });
  }
  return `eip155:${chainId}:${asset.toLowerCase()}:${parsed.from}:${parsed.nonce}`;
}
