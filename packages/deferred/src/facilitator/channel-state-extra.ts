/**
 * The `channelState` / `voucherState` a corrective 402 carries (the official binding's shape):
 * what the server holds for the channel, so a client that lost its place resumes from it.
 */
import type { DeferredChannel, Hex } from '../ledger/types.js';
import type { EscrowChannelState } from './chain-state.js';

export interface ChannelStateExtra {
  channelState: {
    channelId: Hex;
    balance: string;
    totalClaimed: string;
    withdrawRequestedAt: number;
    refundNonce: string;
    chargedCumulativeAmount: string;
  };
  voucherState: { signedMaxClaimable?: string; signature?: Hex };
}

/**
 * `chargedCumulativeAmount` is what is charged, or — while a voucher is pending (a request in
 * flight) — that voucher's amount: the client then signs on top of the in-flight request rather
 * than colliding with it. If that request fails, the next corrective 402 says so.
 */
export function channelStateExtra(
  channelId: Hex,
  channel: DeferredChannel | undefined,
  chain: EscrowChannelState | undefined,
  now: number,
): ChannelStateExtra {
  const pending = channel?.pending && channel.pending.expiresAt > now ? channel.pending : undefined;
  const latest = pending ?? channel?.chargedVoucher;
  return {
    channelState: {
      channelId,
      balance: (chain?.balance ?? 0n).toString(),
      totalClaimed: (chain?.totalClaimed ?? channel?.claimed ?? 0n).toString(),
      withdrawRequestedAt: chain?.withdrawInitiatedAt ?? 0,
      refundNonce: '0',
      chargedCumulativeAmount: (latest?.maxClaimableAmount ?? 0n).toString(),
    },
    voucherState: latest
      ? { signedMaxClaimable: latest.maxClaimableAmount.toString(), signature: latest.signature }
      : {},
  };
}

/** The `extra` of a successful settle response (the official binding's fields). */
export interface SettleStateExtra {
  /** What this request added to the channel: the price. */
  chargedAmount: string;
  channelState: { channelId: Hex; chargedCumulativeAmount: string };
  /** The voucher now charged, so the client can check the state is one it signed. */
  voucherState: { signedMaxClaimable: string; signature: Hex };
}

/**
 * The settle state without a chain call: the charged voucher only. Unlike the corrective 402's,
 * `channelState` leaves out the escrow's balance and claims (settle never reads the chain; the
 * official client reads only `chargedCumulativeAmount` here).
 */
export function settleStateExtra(
  channelId: Hex,
  voucher: { maxClaimableAmount: bigint; signature: Hex },
  chargedAmount: string,
): SettleStateExtra {
  const cumulative = voucher.maxClaimableAmount.toString();
  return {
    chargedAmount,
    channelState: { channelId, chargedCumulativeAmount: cumulative },
    voucherState: { signedMaxClaimable: cumulative, signature: voucher.signature },
  };
}
