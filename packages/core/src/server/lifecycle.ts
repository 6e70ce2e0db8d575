/**
 * The paid-call lifecycle shared by every transport (HTTP here, MCP tools in @x402-rails/mcp):
 * match the payment against the offers → claim its id in the ledger → verify; then, after the
 * transport ran the paid work, settle it or release it. Every step is journaled in the ledger.
 */

import { X402Error } from '../errors.js';
import type { FacilitatorClient } from '../facilitator-client.js';
import type { PaymentLedger } from '../ledger.js';
import type { PaymentPayload, SettleResponse } from '../schemas.js';
import { failedSettlement } from '../settle-response.js';
import type { PaymentEvent } from './engine.js';
import { matchAccepted } from './match.js';
import type { ResolvedOffer } from './route.js';

/** A payment that matched an offer, was claimed and verified: the paid work may run. */
export interface AdmittedPayment {
  payload: PaymentPayload;
  offer: ResolvedOffer;
  paymentId: string;
  /** The resource URL the payment was bound to. */
  resource: string;
}

/** `offer` is set when the payment matched it but was refused (its rail may amend the 402). */
export type Refusal = { ok: false; reason: string; message?: string; offer?: ResolvedOffer };
export type Admission = { ok: true; payment: AdmittedPayment } | Refusal;
export type SettlementOutcome =
  | { ok: true; settlement: SettleResponse }
  | { ok: false; reason: string; message?: string; settlement: SettleResponse };

export interface PaymentLifecycleOptions {
  facilitator: FacilitatorClient;
  ledger: PaymentLedger;
  emit: (event: PaymentEvent) => void;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createPaymentLifecycle({ facilitator, ledger, emit }: PaymentLifecycleOptions) {
  return {
    /** Match → claim → verify. A refusal has released whatever it claimed. */
    async admit(
      payload: PaymentPayload,
      offers: readonly ResolvedOffer[],
      resource: string,
    ): Promise<Admission> {
      const match = matchAccepted(payload, offers, resource);
      if (!match.ok) return { ok: false, reason: match.reason, message: match.message };
      const { offer } = match;

      let paymentId: string;
      try {
        paymentId = offer.rail.paymentId(payload);
      } catch (error) {
        return { ok: false, reason: 'invalid_payload', message: messageOf(error) };
      }

      const { requirements } = offer;
      const claim = await ledger.claim({
        paymentId,
        scheme: requirements.scheme,
        network: requirements.network,
        asset: requirements.asset,
        amount: requirements.amount,
        payTo: requirements.payTo,
        resource,
      });
      if (!claim.claimed) {
        return {
          ok: false,
          reason: 'payment_already_used',
          message: `This payment is already ${claim.record.state}`,
          offer,
        };
      }

      let verified: Awaited<ReturnType<FacilitatorClient['verify']>>;
      try {
        verified = await facilitator.verify(payload, requirements);
      } catch (error) {
        const reason = error instanceof X402Error ? error.code : 'unexpected_verify_error';
        await ledger.transition(paymentId, 'claimed', 'released', { reason });
        return { ok: false, reason };
      }
      if (!verified.isValid) {
        const reason = verified.invalidReason ?? 'invalid_payload';
        await ledger.transition(paymentId, 'claimed', 'released', { reason });
        return {
          ok: false,
          reason,
          offer,
          ...(verified.invalidMessage ? { message: verified.invalidMessage } : {}),
        };
      }
      await ledger.transition(
        paymentId,
        'claimed',
        'verified',
        verified.payer ? { payer: verified.payer } : {},
      );
      emit({
        type: 'verified',
        resource,
        paymentId,
        ...(verified.payer ? { payer: verified.payer } : {}),
      });
      return { ok: true, payment: { payload, offer, paymentId, resource } };
    },

    /** The paid work failed: nothing settles, and a hold placed by verify is voided. */
    async release(
      { payload, offer, paymentId, resource }: AdmittedPayment,
      reason: string,
    ): Promise<void> {
      await ledger.transition(paymentId, 'verified', 'released', { reason });
      if (offer.rail.holdsFunds) {
        try {
          await facilitator.release(payload, offer.requirements);
        } catch (error) {
          // The buyer is still not charged (nothing settles); the hold lapses on the rail's own
          // schedule. The work's outcome must still reach the client, so this is reported, not thrown.
          emit({ type: 'release_failed', resource, paymentId, error: messageOf(error) });
          return;
        }
      }
      emit({ type: 'released', resource, paymentId, reason });
    },

    /** The paid work succeeded: settle. On failure the caller must withhold the work's output. */
    async settle({
      payload,
      offer,
      paymentId,
      resource,
    }: AdmittedPayment): Promise<SettlementOutcome> {
      let settlement: SettleResponse;
      try {
        settlement = await facilitator.settle(payload, offer.requirements);
      } catch (error) {
        settlement = failedSettlement(
          offer.requirements,
          error instanceof X402Error ? error.code : 'unexpected_settle_error',
          messageOf(error),
        );
      }
      if (!settlement.success) {
        const reason = settlement.errorReason ?? 'settlement_failed';
        await ledger.transition(paymentId, 'verified', 'failed', { reason });
        emit({ type: 'settle_failed', resource, paymentId, reason });
        return {
          ok: false,
          reason,
          ...(settlement.errorMessage ? { message: settlement.errorMessage } : {}),
          settlement,
        };
      }
      await ledger.transition(paymentId, 'verified', 'settled', {
        transaction: settlement.transaction,
        ...(settlement.payer ? { payer: settlement.payer } : {}),
      });
      emit({ type: 'settled', resource, paymentId, requirements: offer.requirements, settlement });
      return { ok: true, settlement };
    },
  };
}

export type PaymentLifecycle = ReturnType<typeof createPaymentLifecycle>;
