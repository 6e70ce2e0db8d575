/**
 * The voucher flow with relayed deposits in front (opt-in per network, `relayDeposits`). A plain
 * voucher goes straight through. A deposit payload is checked (window, minimum, simulation), its
 * voucher reserved against the escrow balance plus the deposit; settle sends the deposit, re-reads
 * the balance, and only then commits the voucher — or releases it when the deposit failed.
 */
import {
  failedSettlement,
  type PaymentPayload,
  type PaymentRequirements,
  type SettleResponse,
} from '@x402-rails/core';
import type { Hex } from '../ledger/types.js';
import { DeferredReason } from '../reasons.js';
import type { ChainStateCache } from './chain-state.js';
import type { NetworkContext } from './check.js';
import {
  checkDeposit,
  type DepositRelay,
  type DepositView,
  depositViewOf,
  relayDeposit,
} from './deposit-relay.js';
import type { VoucherFlow } from './voucher-flow.js';

export interface DepositAwareFlowOptions {
  /** The plain flow (vouchers against the escrow balance as it is). */
  flow: VoucherFlow;
  /** A flow whose checks see `amount` more in the channel's balance: the deposit being relayed. */
  flowWithDeposit(network: string, channelId: Hex, amount: bigint): VoucherFlow;
  /** The relay of a network, if it relays deposits. */
  relayOf(
    network: string,
  ): { relay: DepositRelay; escrow: Hex; chainState: ChainStateCache } | undefined;
  now: () => number;
}

/** A network's context whose escrow reads count a deposit in flight for one channel. */
export function withDepositInFlight(
  net: NetworkContext,
  channelId: Hex,
  amount: bigint,
): NetworkContext {
  const id = channelId.toLowerCase();
  return {
    ...net,
    chainState: {
      async get(channel, options) {
        const state = await net.chainState.get(channel, options);
        return channel.toLowerCase() === id ? { ...state, balance: state.balance + amount } : state;
      },
      invalidate: (channel) => net.chainState.invalidate(channel),
    },
  };
}

export function createDepositAwareFlow(options: DepositAwareFlowOptions): VoucherFlow {
  function route(payload: PaymentPayload) {
    const view = depositViewOf(payload);
    const relay = view && options.relayOf(payload.accepted.network);
    if (!view || !relay) return undefined;
    const flow = options.flowWithDeposit(
      payload.accepted.network,
      view.deposit.voucher.channelId,
      BigInt(view.deposit.deposit.amount),
    );
    return { view, ...relay, flow };
  }

  async function settleDeposit(
    d: NonNullable<ReturnType<typeof route>>,
    requirements: PaymentRequirements,
  ): Promise<SettleResponse> {
    const { view, flow } = d;
    const voucher = view.voucherView;
    const payer = view.deposit.channelConfig.payer;
    // The voucher must hold the channel before any money moves (a settle called alone checks the
    // deposit and reserves it here); a deposit is never sent for a request that will not be served.
    const status = await flow.status(voucher, requirements);
    if (status.state === 'settled') {
      return failedSettlement(
        requirements,
        'payment_already_used',
        'This voucher is already charged.',
        payer,
      );
    }
    if (status.state !== 'pending') {
      const checked = await checkDeposit(
        d.relay,
        d.escrow,
        view,
        requirements,
        options.now() / 1000,
      );
      if (!checked.ok)
        return failedSettlement(requirements, checked.reason, checked.message, payer);
    }
    const held = await flow.verify(voucher, requirements);
    if (!held.isValid) {
      return failedSettlement(
        requirements,
        held.invalidReason ?? DeferredReason.invalidPayload,
        held.invalidMessage ?? 'The voucher could not be reserved.',
        payer,
      );
    }
    const sent = await relayDeposit(d.relay, d.escrow, view);
    if (!sent.ok) {
      await flow.release(voucher);
      return failedSettlement(requirements, sent.reason, sent.message, payer);
    }
    // What the escrow now holds decides, not what the deposit promised (an authorization the payer
    // cancelled counts as used, too).
    const channelId = view.deposit.voucher.channelId;
    d.chainState.invalidate(channelId);
    const chain = await d.chainState.get(channelId, { fresh: true });
    if (chain.balance < BigInt(view.deposit.voucher.maxClaimableAmount)) {
      await flow.release(voucher);
      return failedSettlement(
        requirements,
        DeferredReason.cumulativeExceedsBalance,
        'The channel holds less than the voucher after the deposit.',
        payer,
      );
    }
    const settled = await options.flow.settle(voucher, requirements);
    if (!settled.success || !sent.transaction) return settled;
    return { ...settled, extra: { ...settled.extra, depositTransaction: sent.transaction } };
  }

  return {
    async verify(payload, requirements) {
      const d = route(payload);
      if (!d) return options.flow.verify(payload, requirements);
      const checked = await checkDeposit(
        d.relay,
        d.escrow,
        d.view,
        requirements,
        options.now() / 1000,
      );
      if (!checked.ok) {
        return {
          isValid: false,
          invalidReason: checked.reason,
          invalidMessage: checked.message,
          payer: d.view.deposit.channelConfig.payer,
        };
      }
      return d.flow.verify(d.view.voucherView, requirements);
    },
    settle(payload, requirements) {
      const d = route(payload);
      return d ? settleDeposit(d, requirements) : options.flow.settle(payload, requirements);
    },
    release(payload) {
      const d = route(payload);
      return d ? d.flow.release(d.view.voucherView) : options.flow.release(payload);
    },
    status(payload, requirements) {
      const d = route(payload);
      return d
        ? d.flow.status(d.view.voucherView, requirements)
        : options.flow.status(payload, requirements);
    },
  };
}

export type { DepositView };
