/**
 * The pure rules a voucher must meet against what the server knows of its channel (the verify
 * step's arithmetic, without I/O): the cumulative amount is exactly "charged so far + price", not
 * below what the escrow already paid out, and within the escrow balance.
 */
import { MAX_WITHDRAW_DELAY, MIN_WITHDRAW_DELAY } from './constants.js';
import type { ChannelConfig } from './payload.js';
import { DeferredReason } from './reasons.js';

export interface ChannelView {
  /** What the server has charged on this channel so far (the last accepted cumulative). */
  charged: bigint;
  /** The escrow's balance of the channel: deposits minus withdrawals. */
  balance: bigint;
  /** What the escrow has already paid the receiver. */
  totalClaimed: bigint;
}

/**
 * Undefined when a voucher for `maxClaimableAmount` pays exactly `price` on top of `channel.charged`
 * and is covered; otherwise the reason. `cumulativeMismatch` is the corrective-402 reason: the
 * client then resynchronises from the channel state the server returns.
 */
export function cumulativeProblem(
  maxClaimableAmount: bigint,
  price: bigint,
  channel: ChannelView,
): DeferredReason | undefined {
  if (maxClaimableAmount !== channel.charged + price) return DeferredReason.cumulativeMismatch;
  if (maxClaimableAmount < channel.totalClaimed) return DeferredReason.cumulativeBelowClaimed;
  if (maxClaimableAmount > channel.balance) return DeferredReason.cumulativeExceedsBalance;
  return undefined;
}

/** What the server expects of a channel config: its receiver, token and terms. */
export interface ChannelTerms {
  receiver: string;
  receiverAuthorizer: string;
  token: string;
  withdrawDelay: number;
}

/** Undefined when the config is the server's channel terms (addresses compared case-blind). */
export function channelTermsProblem(
  config: ChannelConfig,
  terms: ChannelTerms,
): DeferredReason | undefined {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (!same(config.receiver, terms.receiver)) return DeferredReason.receiverMismatch;
  if (!same(config.receiverAuthorizer, terms.receiverAuthorizer)) {
    return DeferredReason.receiverAuthorizerMismatch;
  }
  if (!same(config.token, terms.token)) return DeferredReason.tokenMismatch;
  if (config.withdrawDelay < MIN_WITHDRAW_DELAY || config.withdrawDelay > MAX_WITHDRAW_DELAY) {
    return DeferredReason.withdrawDelayOutOfRange;
  }
  if (config.withdrawDelay !== terms.withdrawDelay) return DeferredReason.withdrawDelayMismatch;
  return undefined;
}
