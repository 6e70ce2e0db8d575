/**
 * The facilitator role of the deferred rail. Verify checks a voucher and reserves it in the channel
 * ledger (a compare-and-swap on the channel's charged amount: of two concurrent requests on one
 * channel, one wins); settle commits the reservation — no chain call on the request path — and
 * returns the commitment id; release drops it. Redemption (`./redeem`) collects later, in batches.
 */
import { randomUUID } from 'node:crypto';
import {
  type FacilitatorContext,
  failedSettlement,
  type Network,
  type PaymentPayload,
  type PaymentRequirements,
  type RailPaymentStatus,
  type SchemeFacilitator,
  type SettleResponse,
  type VerifyResponse,
} from '@x402-rails/core';
import { createPublicClient, http, type PublicClient } from 'viem';
import { BATCH_SETTLEMENT_SCHEME } from '../constants.js';
import type { DeferredChannel, DeferredLedger, Hex } from '../ledger/types.js';
import { DeferredReason } from '../reasons.js';
import { createChainStateCache } from './chain-state.js';
import {
  type CheckedVoucher,
  checkVoucher,
  decodeVoucherPayload,
  type NetworkContext,
} from './check.js';
import { deferredPaymentId } from './payment-id.js';
import { DeferredRoleReason } from './reasons.js';

export interface DeferredFacilitatorNetwork {
  /** CAIP-2, `eip155:<chainId>`. */
  network: `eip155:${number}`;
  /** The escrow every channel on this network is bound to. */
  escrow: Hex;
  /** An RPC endpoint, or a ready viem client (tests, custom transports). */
  rpcUrl?: string;
  client?: Pick<PublicClient, 'getCode' | 'readContract'>;
}

export interface DeferredFacilitatorOptions {
  ledger: DeferredLedger;
  networks: readonly DeferredFacilitatorNetwork[];
  /** How long an escrow read stays fresh (default 5 s; 1 s while a withdrawal is pending). */
  chainStateTtlMs?: number;
  /** Refuse vouchers once a pending withdrawal completes within this many seconds (default 300). */
  closingMarginSeconds?: number;
  /**
   * How long a reservation blocks its channel when the request never finishes (default: the
   * requirements' maxTimeoutSeconds).
   */
  pendingTtlMs?: number;
  now?: () => number;
}

export interface DeferredFacilitator extends SchemeFacilitator {
  readonly ledger: DeferredLedger;
  /** The escrow read for a channel's corrective state (shared with the server role). */
  networkContext(network: string): NetworkContext | undefined;
}

const commitmentIdOf = (channelId: Hex, cumulative: bigint) =>
  `${channelId.toLowerCase()}:${cumulative}`;

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

export function createDeferredFacilitator(
  options: DeferredFacilitatorOptions,
): DeferredFacilitator {
  const now = options.now ?? Date.now;
  const networks = new Map<string, NetworkContext>();
  for (const n of options.networks) {
    const chainId = Number(n.network.slice('eip155:'.length));
    if (!Number.isSafeInteger(chainId) || chainId <= 0) {
      throw new TypeError(`network ${n.network} is not eip155:<chainId>`);
    }
    const client =
      n.client ?? (n.rpcUrl ? createPublicClient({ transport: http(n.rpcUrl) }) : undefined);
    if (!client) throw new TypeError(`network ${n.network} needs rpcUrl or client`);
    networks.set(n.network, {
      network: n.network,
      domain: { chainId, escrow: n.escrow },
      client,
      chainState: createChainStateCache({
        client,
        escrow: n.escrow,
        now,
        ...(options.chainStateTtlMs !== undefined ? { ttlMs: options.chainStateTtlMs } : {}),
      }),
    });
  }
  const checkOptions = {
    ledger: options.ledger,
    networkOf: (network: string) => networks.get(network),
    closingMarginSeconds: options.closingMarginSeconds ?? 300,
    now,
  };

  async function reserve(checked: CheckedVoucher, requirements: PaymentRequirements) {
    const at = now();
    const pendingTtl = options.pendingTtlMs ?? requirements.maxTimeoutSeconds * 1000;
    return options.ledger.reserve({
      channel: {
        channelId: checked.channelId,
        network: requirements.network,
        escrow: checked.net.domain.escrow,
        asset: checked.config.token,
        payer: checked.config.payer,
        receiver: checked.config.receiver,
        config: checked.config,
      },
      expectedCharged: checked.channel?.charged ?? 0n,
      voucher: {
        maxClaimableAmount: checked.cumulative,
        signature: checked.voucher.signature,
      },
      // Unique per attempt: two verifies of one voucher never share a reservation.
      pendingId: `${commitmentIdOf(checked.channelId, checked.cumulative)}:${randomUUID()}`,
      expiresAt: at + pendingTtl,
      now: at,
    });
  }

  async function verifyAndReserve(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<VerifyResponse> {
    const result = await checkVoucher(payload, requirements, checkOptions);
    if (!result.ok) {
      return {
        isValid: false,
        invalidReason: result.reason,
        invalidMessage: result.message,
        ...(result.payer ? { payer: result.payer } : {}),
      };
    }
    const reserved = await reserve(result.checked, requirements);
    const payer = result.checked.config.payer;
    if (!reserved.reserved) {
      // The same voucher already holds the channel (verify asked twice): it stays valid; settle
      // commits it once, and only that settle succeeds.
      const held = reserved.channel?.pending;
      if (
        reserved.reason === 'busy' &&
        isSameVoucher(held, result.checked.cumulative, result.checked.voucher.signature)
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
    const decoded = decodeVoucherPayload(payload);
    if (!decoded.ok) return undefined;
    const channelId = decoded.voucher.channelId.toLowerCase() as Hex;
    const channel = await options.ledger.get(channelId);
    return {
      channelId,
      channel,
      payer: decoded.config.payer,
      cumulative: BigInt(decoded.voucher.maxClaimableAmount),
      signature: decoded.voucher.signature,
    };
  }

  function settled(
    requirements: PaymentRequirements,
    found: { channelId: Hex; cumulative: bigint; payer: string },
  ): SettleResponse {
    return {
      success: true,
      transaction: commitmentIdOf(found.channelId, found.cumulative),
      network: requirements.network as Network,
      payer: found.payer,
      amount: requirements.amount,
    };
  }

  const isCommitted = (
    channel: DeferredChannel | undefined,
    cumulative: bigint,
    signature: string,
  ) => isSameVoucher(channel?.chargedVoucher, cumulative, signature);

  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    networks: [...networks.keys()] as Network[],
    ledger: options.ledger,
    networkContext: (network) => networks.get(network),

    async verify(payload, requirements, _context?: FacilitatorContext) {
      return verifyAndReserve(payload, requirements);
    },

    async settle(payload, requirements) {
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
        pending = (await options.ledger.get(found.channelId))?.pending;
      }
      if (!pending) {
        return failedSettlement(
          requirements,
          DeferredRoleReason.notReserved,
          'No reservation.',
          found.payer,
        );
      }
      const committed = await options.ledger.commit(pending.id, now());
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
      const found = await lookup(payload);
      const pending = found?.channel?.pending;
      if (!found || !pending || !isSameVoucher(pending, found.cumulative, found.signature)) return;
      await options.ledger.release(pending.id, now());
    },

    paymentId: deferredPaymentId,

    async status(payload, requirements): Promise<RailPaymentStatus> {
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

    supportedNetworks: () => [...networks.keys()] as Network[],
  };
}
