/** The toy rail's payload: a transfer and the payer's Ed25519 signature over its canonical bytes. */
import { z } from 'zod';

const HEX_32 = /^[0-9a-f]{64}$/;

export const ToyTransferSchema = z.object({
  from: z.string().regex(HEX_32),
  to: z.string().min(1).max(256),
  amount: z.string().regex(/^(0|[1-9][0-9]{0,37})$/),
  asset: z.string().min(1).max(64),
  validAfter: z.number().int().nonnegative(),
  validBefore: z.number().int().positive(),
  nonce: z.string().regex(/^[0-9a-f]{32}$/),
});
export type ToyTransfer = z.infer<typeof ToyTransferSchema>;

export const ToyPayloadSchema = z.object({
  transfer: ToyTransferSchema,
  signature: z.string().regex(/^[0-9a-f]{128}$/),
});
export type ToyPayload = z.infer<typeof ToyPayloadSchema>;

/** The exact bytes signed: every field, in a fixed order, bound to the network. */
export function toyTransferMessage(network: string, t: ToyTransfer): Uint8Array {
  return new TextEncoder().encode(
    [
      'x402-toy-transfer/1',
      network,
      t.asset,
      t.from,
      t.to,
      t.amount,
      t.validAfter,
      t.validBefore,
      t.nonce,
    ].join('\n'),
  );
}

const HEX_NONCE = /^[0-9a-f]{32}$/;

/**
 * The payment id `(network, from, nonce)` of a toy payload. Only the two fields it needs are
 * checked (verify checks the rest), because it runs on every paid request, on both sides.
 */
export function toyPaymentId(
  network: string,
  payload: Record<string, unknown>,
): string | undefined {
  const transfer = payload['transfer'];
  if (typeof transfer !== 'object' || transfer === null) return undefined;
  const { from, nonce } = transfer as { from?: unknown; nonce?: unknown };
  if (
    typeof from !== 'string' ||
    !HEX_32.test(from) ||
    typeof nonce !== 'string' ||
    !HEX_NONCE.test(nonce)
  ) {
    return undefined;
  }
  return `${network}:${from}:${nonce}`;
}
