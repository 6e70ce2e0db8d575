/**
 * The payment id of an exact-SVM payload: `<network>:<sha256 of the transaction message, hex>`.
 *
 * The message, not the wire bytes: the wire form also carries the (empty) fee-payer signature
 * slot, which anyone can fill with other bytes without changing what the transaction does; and
 * not the client's signature, since an Ed25519 signer can make many valid signatures of one
 * message. One message is one possible transfer, and it lands on chain at most once.
 */
import { createHash } from 'node:crypto';
import { PayloadDecodeError, type PaymentPayload } from '@x402-rails/core';
import type { Bytes } from './ed25519.js';
import { decodeTransaction, transactionOf } from './transaction.js';

export function messageDigest(messageBytes: Bytes): string {
  return createHash('sha256')
    .update(messageBytes as Uint8Array)
    .digest('hex');
}

export function exactSvmPaymentId(payment: PaymentPayload): string {
  const wire = transactionOf(payment.payload);
  const decoded = wire ? decodeTransaction(wire) : undefined;
  const network = payment.accepted?.network ?? '';
  if (!decoded || !network.startsWith('solana:')) {
    throw new PayloadDecodeError('invalid_payload', {
      message: 'Not an exact-SVM payment payload',
    });
  }
  return `${network}:${messageDigest(decoded.transaction.messageBytes)}`;
}
