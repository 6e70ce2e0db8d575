/**
 * The facilitator role of the Solana exact rail. Verify runs the static rules (layout, fee-payer
 * safety, compute budget, mint, amount, recipient, the payer's signature), co-signs as the fee
 * payer and, in one JSON-RPC batch, simulates with signature verification and asks whether the
 * transaction already landed (the destination is read only to explain a failed simulation). Settle claims the payment in
 * process, repeats those checks, sends and polls for confirmation with a bounded wait.
 *
 * The parts: options.ts (what is configured), context.ts (shared state), checks.ts (the static
 * rules), precheck.ts (decoding and the rules), chain.ts (the chain phase), settle.ts (sending,
 * confirmation and status()).
 */

import type { Address } from '@solana/kit';
import type { Network, SettleResponse, VerifyResponse } from '@x402-rails/core';
import { exactSvmPaymentId } from '../payment-id.js';
import { SolanaReason } from '../reasons.js';
import { checkOnChain, coSign } from './chain.js';
import type { Failure } from './checks.js';
import { createRailContext } from './context.js';
import type { SolanaExactFacilitator, SolanaExactFacilitatorOptions } from './options.js';
import { precheck } from './precheck.js';
import { paymentStatus, settlePayment } from './settle.js';

function invalid(failure: Failure): VerifyResponse {
  return {
    isValid: false,
    invalidReason: failure.reason,
    invalidMessage: failure.message,
    ...(failure.payer ? { payer: failure.payer } : {}),
  };
}

/**
 * @example
 * const facilitator = createSolanaExactFacilitator({
 *   networks: [{ id: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1' }],
 *   signers: [JSON.parse(readFileSync('fee-payer.json', 'utf8'))],
 * });
 */
export function createSolanaExactFacilitator(
  options: SolanaExactFacilitatorOptions,
): SolanaExactFacilitator {
  const ctx = createRailContext(options);
  const addresses = [...ctx.keys.keys()] as Address[];
  const networks = [...ctx.nets.keys()] as Network[];

  return {
    scheme: 'exact',
    networks,
    addresses,

    async verifyOffchain(payment, req) {
      const pre = await precheck(ctx, payment, req);
      if (!pre.ok) return invalid(pre);
      return { isValid: true, payer: pre.payer };
    },

    async verify(payment, req): Promise<VerifyResponse> {
      try {
        const pre = await precheck(ctx, payment, req);
        if (!pre.ok) return invalid(pre);
        const checked = await checkOnChain(ctx, pre, await coSign(pre));
        if (!checked.ok) return invalid(checked);
        if (checked.landed)
          return invalid({
            ok: false,
            reason: SolanaReason.transactionFailed,
            message: 'This transaction already landed and failed',
            payer: pre.payer,
          });
        return { isValid: true, payer: pre.payer };
      } catch (error) {
        return {
          isValid: false,
          invalidReason: 'unexpected_verify_error',
          invalidMessage: error instanceof Error ? error.message : String(error),
        };
      }
    },

    async settle(payment, req): Promise<SettleResponse> {
      return settlePayment(ctx, payment, req);
    },

    paymentId: exactSvmPaymentId,

    status: (payment, req) => paymentStatus(ctx, payment, req),

    supportedExtra: (network) => (ctx.nets.has(network) ? { feePayer: addresses[0] } : undefined),
    supportedNetworks: () => networks,
    signers: () => ({ 'solana:*': [...addresses] }),
  };
}
