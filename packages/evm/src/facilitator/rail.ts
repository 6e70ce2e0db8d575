/**
 * The facilitator role of the EVM exact rail. Verify runs the checks that need no chain first
 * (fields, time window, EIP-712 digest and ECDSA recovery), then gathers every chain read in one
 * JSON-RPC batch (one round trip: payer code, and one Multicall3 call with the token's domain when
 * not cached, the EIP-1271 answer, the nonce state, the balance and the transfer simulation).
 * Settle claims the payment in process before sending, re-verifies, sends through a pool of keys
 * and watches the receipt.
 *
 * The parts: options.ts (what is configured), context.ts (the state they share), precheck.ts (the
 * checks without the chain), chain-reads.ts and onchain.ts (the chain phase), settle.ts (sending
 * and the receipt), status.ts (reconciliation).
 */
import type {
  FacilitatorContext,
  Network,
  RailPaymentStatus,
  SettleResponse,
  VerifyResponse,
} from '@x402-rails/core';
import { exactEvmPaymentId } from '../payment-id.js';
import { EvmReason } from '../reasons.js';
import { createRailContext } from './context.js';
import { type Failure, fail } from './failure.js';
import { checkOnChain } from './onchain.js';
import type { EvmExactFacilitator, EvmExactFacilitatorOptions } from './options.js';
import { precheck } from './precheck.js';
import { settlePayment } from './settle.js';
import { paymentStatus } from './status.js';

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
 * const facilitator = createEvmExactFacilitator({
 *   networks: [{ id: 'eip155:8453', rpcUrl: 'https://mainnet.base.org' }],
 *   signers: [process.env.FACILITATOR_KEY as `0x${string}`],
 * });
 */
export function createEvmExactFacilitator(
  options: EvmExactFacilitatorOptions,
): EvmExactFacilitator {
  const ctx = createRailContext(options);
  const { nets, addresses } = ctx;

  return {
    scheme: 'exact',
    networks: [...nets.keys()] as Network[],
    addresses,

    verifyOffchain(payment, req) {
      const pre = precheck(ctx, payment, req);
      if (!pre.ok) return invalid(pre);
      const check = pre.ecdsa;
      if (!check?.ok)
        return invalid(
          fail(
            check?.problem === 'high_s' ? EvmReason.signatureHighS : EvmReason.signature,
            'Invalid ECDSA signature',
            pre.payer,
          ),
        );
      if (check.signer !== pre.p.from)
        return invalid(fail(EvmReason.signature, `The signature is by ${check.signer}`, pre.payer));
      return { isValid: true, payer: pre.payer };
    },

    async verify(payment, req, _context?: FacilitatorContext): Promise<VerifyResponse> {
      const pre = precheck(ctx, payment, req);
      if (!pre.ok) return invalid(pre);
      const checked = await checkOnChain(ctx, pre, 'verify');
      if (!checked.ok) return invalid(checked);
      return { isValid: true, payer: checked.payer };
    },

    async settle(payment, req, _context?: FacilitatorContext): Promise<SettleResponse> {
      return settlePayment(ctx, payment, req);
    },

    paymentId: exactEvmPaymentId,

    async status(payment, req): Promise<RailPaymentStatus> {
      return paymentStatus(ctx, payment, req);
    },

    supportedNetworks: () => [...nets.keys()] as Network[],
    signers: () => ({ 'eip155:*': [...addresses] }),
  };
}
