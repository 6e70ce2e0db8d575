/**
 * What the server role of every deferred binding (escrow on chain, credit ledger) shares: verify
 * reserves the voucher against its channel, so a failed handler must release it (`holdsFunds`), or
 * the channel stays blocked until the reservation expires; and the corrective 402, which answers a
 * refusal for the cumulative amount (or a busy channel, or a replay) with the channel state.
 */
import type { PaymentPayload, RefusalRequirementsContext, SchemeServer } from '@x402-rails/core';
import type { EscrowChannelState } from '../facilitator/chain-state.js';
import { channelStateExtra } from '../facilitator/channel-state-extra.js';
import type { DeferredLedger, Hex } from '../ledger/types.js';
import { DeferredReason } from '../reasons.js';

// A voucher already used is what a client that lost its place sends: it needs the state too.
const CORRECTIVE_REASONS: ReadonlySet<string> = new Set<string>([
  DeferredReason.cumulativeMismatch,
  DeferredReason.channelBusy,
  'payment_already_used',
]);

export interface VoucherServerHooksOptions {
  /** Where the channel state is read; without it, no state is sent. */
  ledger: DeferredLedger | undefined;
  /** The channel a payload's voucher is for, undefined when the payload is unreadable. */
  channelIdOf(payload: PaymentPayload): Hex | undefined;
  /** The escrow's view of the channel, on a binding that has one. */
  chainState?(network: string, channelId: Hex): Promise<EscrowChannelState> | undefined;
  now: () => number;
}

export function voucherServerHooks(
  options: VoucherServerHooksOptions,
): Pick<SchemeServer, 'holdsFunds' | 'refusalReason' | 'refusalRequirements'> {
  return {
    holdsFunds: true,

    // A replayed voucher is stale: to the binding (and the official client, which resynchronises
    // on this code only) its cumulative is not charged + price.
    refusalReason: ({ reason }: RefusalRequirementsContext) =>
      reason === 'payment_already_used' ? DeferredReason.cumulativeMismatch : undefined,

    async refusalRequirements({ reason, payload, requirements }: RefusalRequirementsContext) {
      const { ledger } = options;
      if (!ledger || !CORRECTIVE_REASONS.has(reason)) return undefined;
      const read = options.channelIdOf(payload);
      if (!read) return undefined;
      const channelId = read.toLowerCase() as Hex;
      const [channel, chain] = await Promise.all([
        ledger.get(channelId),
        options.chainState?.(requirements.network, channelId),
      ]);
      return {
        ...requirements,
        extra: {
          ...requirements.extra,
          ...channelStateExtra(channelId, channel, chain, options.now()),
        },
      };
    },
  };
}
