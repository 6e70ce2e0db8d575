/**
 * The request-path flow every deferred binding shares, whatever backs its vouchers (an escrow on
 * chain, or a credit ledger): verify = the binding's checks, then reserve the voucher in the
 * channel ledger (a compare-and-swap on the channel's charged amount: of two concurrent requests on
 * one channel, one wins); settle = commit the reservation and return its commitment id; release =
 * drop it; status = what the ledger holds. No chain or card call here.
 */
import { randomUUID } from 'node:crypto';
import {
  failedSettlement,
  type Network,
  type PaymentPayload,
  type PaymentRequirements,
  type RailPaymentStatus,
  type SettleResponse,
  type VerifyResponse,
} from '@x402-rails/core';
import type { ChannelIdentity, DeferredChannel, DeferredLedger, Hex } from '../ledger/types.js';
import { DeferredReason } from '../reasons.js';
import { settleStateExtra } from './channel-state-extra.js';
import { DeferredRoleReason } from './reasons.js';

/** The voucher a payload carries, as read without any check. */
export interface VoucherRef {
  channelId: Hex;
  payer: string;
  cumulative: bigint;
  signature: Hex;
}

/** A voucher that passed the binding's checks, with what its reservation needs. */
export interface AcceptedVoucher extends VoucherRef {
  /** The channel's identity and terms, stored at its first reservation. */
  identity: ChannelIdentity;
  /** The `charged` the checks saw (the compare-and-swap's expected value). */
  expectedCharged: bigint;
}

export type VoucherCheck =
  | { ok: true; voucher: AcceptedVoucher }
  | { ok: false; reason: string; message: string; payer?: string };

export interface VoucherFlowOptions {
  ledger: DeferredLedger;
  now: () => number;
  /** How long a reservation blocks its channel (default: the requirements' maxTimeoutSeconds). */
  pendingTtlMs?: number;
  /** Everything a voucher must meet before it may be held against its channel. */
  check(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VoucherCheck>;
  /** The voucher of a payload (undefined when unreadable), without checks or I/O. */
  read(payload: PaymentPayload): VoucherRef | undefined;
}

export interface VoucherFlow {
  verify(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VerifyResponse>;
  settle(payload: PaymentPayload, requirements: PaymentRequirements): Promise<SettleResponse>;
  release(payload: PaymentPayload): Promise<void>;
  status(payload: PaymentPayload, requirements: PaymentRequirements): Promise<RailPaymentStatus>;
}

const commitmentIdOf = (channelId: Hex, cumulative: bigint) =>
  `${channelId.toLowerCase()}:${cumulative}`;

/** Reservations remembered for settle (oldest forgotten first; a forgotten one is read back). */
const MAX_RESERVATION_HINTS = 10_000;

const hintKey = (ref: VoucherRef) =>
  `${ref.channelId.toLowerCase()}:${ref.cumulative}:${ref.signature.toLowerCase()}`;

function isSameVoucher(
  stored: { maxClaimableAmount: bigint; signature: Hex } | undefined,
  cumulative: bigint,
  signature: string,
): boolean {
  return (
    stored !== undefined &&
    stored.maxClaimableAmount === cumulative &&
    stored.signature.toLowerCase() === signature.toLowerCase()
  );
}

export function createVoucherFlow(options: VoucherFlowOptions): VoucherFlow {
  const { ledger, now } = options;
  /**
   * The pending id this process reserved each voucher under, so settle commits it without reading
   * the channel first. Only a hint: the commit is by that id, which holds exactly this voucher, and
   * a commit that finds it gone (expired, replaced, released) falls back to reading the ledger.
   */
  const hints = new Map<string, string>();

  function remember(ref: VoucherRef, pendingId: string) {
    if (hints.size >= MAX_RESERVATION_HINTS) {
      const oldest = hints.keys().next().value;
      if (oldest !== undefined) hints.delete(oldest);
    }
    hints.set(hintKey(ref), pendingId);
  }

  function takeHint(ref: VoucherRef): string | undefined {
    const key = hintKey(ref);
    const pendingId = hints.get(key);
    hints.delete(key);
    return pendingId;
  }

  async function reserve(accepted: AcceptedVoucher, requirements: PaymentRequirements) {
    const at = now();
    const pendingTtl = options.pendingTtlMs ?? requirements.maxTimeoutSeconds * 1000;
    // Unique per attempt: two verifies of one voucher never share a reservation.
    const pendingId = `${commitmentIdOf(accepted.channelId, accepted.cumulative)}:${randomUUID()}`;
    const reserved = await ledger.reserve({
      channel: accepted.identity,
      expectedCharged: accepted.expectedCharged,
      voucher: { maxClaimableAmount: accepted.cumulative, signature: accepted.signature },
      pendingId,
      expiresAt: at + pendingTtl,
      now: at,
    });
    if (reserved.reserved) remember(accepted, pendingId);
    return reserved;
  }

  async function verifyAndReserve(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<VerifyResponse> {
    const result = await options.check(payload, requirements);
    if (!result.ok) {
      return {
        isValid: false,
        invalidReason: result.reason,
        invalidMessage: result.message,
        ...(result.payer ? { payer: result.payer } : {}),
      };
    }
    const reserved = await reserve(result.voucher, requirements);
    const payer = result.voucher.payer;
    if (!reserved.reserved) {
      // The same voucher already holds the channel (verify asked twice): it stays valid; settle
      // commits it once, and only that settle succeeds.
      const held = reserved.channel?.pending;
      if (
        reserved.reason === 'busy' &&
        isSameVoucher(held, result.voucher.cumulative, result.voucher.signature)
      ) {
        return { isValid: true, payer };
      }
      return reserved.reason === 'busy'
        ? {
            isValid: false,
            invalidReason: DeferredReason.channelBusy,
            invalidMessage: 'Another request on this channel is in flight.',
            payer,
          }
        : {
            isValid: false,
            invalidReason: DeferredReason.cumulativeMismatch,
            invalidMessage: 'The channel was charged meanwhile.',
            payer,
          };
    }
    return { isValid: true, payer };
  }

  /** The channel and the stored voucher a payload refers to, without any chain call. */
  async function lookup(payload: PaymentPayload) {
    const ref = options.read(payload);
    if (!ref) return undefined;
    const channelId = ref.channelId.toLowerCase() as Hex;
    return { ...ref, channelId, channel: await ledger.get(channelId) };
  }

  function settled(requirements: PaymentRequirements, found: VoucherRef): SettleResponse {
    return {
      success: true,
      transaction: commitmentIdOf(found.channelId, found.cumulative),
      network: requirements.network as Network,
      payer: found.payer,
      amount: requirements.amount,
      extra: {
        ...settleStateExtra(
          found.channelId,
          { maxClaimableAmount: found.cumulative, signature: found.signature },
          requirements.amount,
        ),
      },
    };
  }

  const isCommitted = (
    channel: DeferredChannel | undefined,
    cumulative: bigint,
    signature: string,
  ) => isSameVoucher(channel?.chargedVoucher, cumulative, signature);

  return {
    verify: verifyAndReserve,
    async settle(payload, requirements) {
      const ref = options.read(payload);
      const hinted = ref && takeHint(ref);
      if (ref && hinted !== undefined) {
        // The reservation this process made for this very voucher: commit it by its id.
        const committed = await ledger.commit(hinted, now());
        if (committed.committed) {
          return committed.alreadyCommitted === true
            ? failedSettlement(
                requirements,
                'payment_already_used',
                'This voucher is already charged.',
                ref.payer,
              )
            : settled(requirements, { ...ref, channelId: ref.channelId.toLowerCase() as Hex });
        }
        // Gone (expired and replaced, or released): decide from the ledger as below.
      }
      const found = await lookup(payload);
      if (!found) {
        return failedSettlement(
          requirements,
          DeferredReason.invalidPayload,
          'Unreadable voucher payload.',
        );
      }
      if (isCommitted(found.channel, found.cumulative, found.signature)) {
        return failedSettlement(
          requirements,
          'payment_already_used',
          'This voucher is already charged.',
          found.payer,
        );
      }
      let pending = found.channel?.pending;
      if (!isSameVoucher(pending, found.cumulative, found.signature)) {
        // Settle without a (live) reservation, e.g. /settle called alone: verify and reserve now.
        const verified = await verifyAndReserve(payload, requirements);
        if (!verified.isValid) {
          return failedSettlement(
            requirements,
            verified.invalidReason ?? DeferredRoleReason.notReserved,
            verified.invalidMessage ?? 'The voucher could not be reserved.',
            found.payer,
          );
        }
        pending = (await ledger.get(found.channelId))?.pending;
      }
      if (!pending) {
        return failedSettlement(
          requirements,
          DeferredRoleReason.notReserved,
          'No reservation.',
          found.payer,
        );
      }
      const committed = await ledger.commit(pending.id, now());
      if (committed.committed && committed.alreadyCommitted !== true)
        return settled(requirements, found);
      if (
        committed.committed ||
        isCommitted(committed.channel, found.cumulative, found.signature)
      ) {
        // A concurrent settle of the same voucher committed it: that one reports the success.
        return failedSettlement(
          requirements,
          'payment_already_used',
          'This voucher is already charged.',
          found.payer,
        );
      }
      return failedSettlement(
        requirements,
        DeferredRoleReason.notReserved,
        'The reservation expired and the channel moved on.',
        found.payer,
      );
    },
    async release(payload) {
      const ref = options.read(payload);
      const hinted = ref && takeHint(ref);
      // Release by id drops only that reservation, and nothing once it is committed.
      if (hinted !== undefined) return ledger.release(hinted, now());
      const found = await lookup(payload);
      const pending = found?.channel?.pending;
      if (!found || !pending || !isSameVoucher(pending, found.cumulative, found.signature)) return;
      await ledger.release(pending.id, now());
    },
    async status(payload, requirements) {
      const found = await lookup(payload);
      if (!found?.channel) return { state: 'not_found' };
      if (found.channel.charged >= found.cumulative) {
        return { state: 'settled', settlement: settled(requirements, found) };
      }
      if (isSameVoucher(found.channel.pending, found.cumulative, found.signature)) {
        return { state: 'pending' };
      }
      return { state: 'not_found' };
    },
  };
}
