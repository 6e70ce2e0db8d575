/**
 * The server role of the deferred rail: prices to batch-settlement requirements (the channel terms
 * and the token's EIP-712 domain in `extra`), the payment id of a voucher, and the corrective 402:
 * a voucher refused for its cumulative amount (or a busy channel) is answered with the channel
 * state the server holds, so the client resumes from it.
 */
import {
  ConfigError,
  type DisplayAmount,
  formatAtomicAmount,
  type Network,
  type PaymentRequirements,
  parseMoney,
  type RefusalRequirementsContext,
  type RequirementsContext,
  type SchemeServer,
} from '@x402-rails/core';
import { getAddress } from 'viem';
import { BATCH_SETTLEMENT_SCHEME, MAX_WITHDRAW_DELAY, MIN_WITHDRAW_DELAY } from '../constants.js';
import type { EscrowChannelState } from '../facilitator/chain-state.js';
import { channelStateExtra } from '../facilitator/channel-state-extra.js';
import { decodeVoucherPayload } from '../facilitator/check.js';
import { deferredPaymentId } from '../facilitator/payment-id.js';
import type { DeferredLedger, Hex } from '../ledger/types.js';
import { DeferredReason } from '../reasons.js';

export interface DeferredServerAsset {
  address: Hex;
  /** The token's EIP-712 name and version (USDC: "USD Coin", "2"). */
  name: string;
  version: string;
  decimals?: number;
  symbol?: string;
}

export interface DeferredServerNetwork {
  network: `eip155:${number}`;
  /** The token paid in (default for `$` prices). */
  asset: DeferredServerAsset;
  /** Seconds a payer must wait to withdraw; part of every channel's terms (default 86 400). */
  withdrawDelay?: number;
  /** Who may authorise claims for the receiver (default: payTo). */
  receiverAuthorizer?: Hex;
  /** Display name. */
  name?: string;
}

/** Where the corrective 402 reads the channel state: the rail's ledger and the escrow. */
export interface ChannelStateSource {
  readonly ledger: DeferredLedger;
  networkContext?(
    network: string,
  ): { chainState: { get(channelId: Hex): Promise<EscrowChannelState> } } | undefined;
}

export interface DeferredServerOptions {
  networks: readonly DeferredServerNetwork[];
  /** The facilitator role (in process) or any source of channel state; without it, no state is sent. */
  channels?: ChannelStateSource;
  now?: () => number;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
// A voucher already used is what a client that lost its place sends: it needs the state too.
export const CORRECTIVE_REASONS: ReadonlySet<string> = new Set<string>([
  DeferredReason.cumulativeMismatch,
  DeferredReason.channelBusy,
  'payment_already_used',
]);

export function createDeferredServer(options: DeferredServerOptions): SchemeServer {
  const table = new Map<string, DeferredServerNetwork>();
  for (const n of options.networks) {
    const delay = n.withdrawDelay ?? 86_400;
    if (!Number.isInteger(delay) || delay < MIN_WITHDRAW_DELAY || delay > MAX_WITHDRAW_DELAY) {
      throw new ConfigError(
        `withdrawDelay ${delay} is outside ${MIN_WITHDRAW_DELAY}..${MAX_WITHDRAW_DELAY}`,
      );
    }
    if (!ADDRESS.test(n.asset.address))
      throw new ConfigError(`asset ${n.asset.address} is not an address`);
    table.set(n.network, n);
  }
  const now = options.now ?? Date.now;

  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    networks: [...table.keys()] as Network[],
    holdsFunds: true,

    requirements(context: RequirementsContext): PaymentRequirements {
      const net = table.get(context.network);
      if (!net)
        throw new ConfigError(`Network ${context.network} is not configured for batch-settlement`);
      if (!ADDRESS.test(context.payTo))
        throw new ConfigError(`payTo ${context.payTo} is not an EVM address`);
      let amount: bigint;
      if (context.price.atomic) {
        if (context.price.atomic.asset.toLowerCase() !== net.asset.address.toLowerCase()) {
          throw new ConfigError(
            `batch-settlement on ${net.network} takes ${net.asset.address} only`,
          );
        }
        amount = BigInt(context.price.atomic.amount);
      } else if (context.price.money !== undefined) {
        amount = parseMoney(context.price.money, net.asset.decimals ?? 6);
      } else {
        throw new ConfigError('A price is required');
      }
      if (amount <= 0n) throw new ConfigError('A price must be above zero');
      const payTo = getAddress(context.payTo);
      return {
        scheme: BATCH_SETTLEMENT_SCHEME,
        network: context.network,
        amount: amount.toString(),
        asset: getAddress(net.asset.address),
        payTo,
        maxTimeoutSeconds: context.maxTimeoutSeconds,
        extra: {
          receiverAuthorizer: getAddress(net.receiverAuthorizer ?? payTo),
          withdrawDelay: net.withdrawDelay ?? 86_400,
          name: net.asset.name,
          version: net.asset.version,
          assetTransferMethod: 'eip3009',
          ...context.extra,
        },
      };
    },

    paymentId: deferredPaymentId,

    // A replayed voucher is stale: to the binding (and the official client, which resynchronises
    // on this code only) its cumulative is not charged + price.
    refusalReason: ({ reason }: RefusalRequirementsContext) =>
      reason === 'payment_already_used' ? DeferredReason.cumulativeMismatch : undefined,

    async refusalRequirements({ reason, payload, requirements }: RefusalRequirementsContext) {
      const source = options.channels;
      if (!source || !CORRECTIVE_REASONS.has(reason)) return undefined;
      const decoded = decodeVoucherPayload(payload);
      if (!decoded.ok) return undefined;
      const channelId = decoded.voucher.channelId.toLowerCase() as Hex;
      const [channel, chain] = await Promise.all([
        source.ledger.get(channelId),
        source.networkContext?.(requirements.network)?.chainState.get(channelId),
      ]);
      return {
        ...requirements,
        extra: { ...requirements.extra, ...channelStateExtra(channelId, channel, chain, now()) },
      };
    },

    describe(requirements): DisplayAmount {
      const net = table.get(requirements.network);
      return {
        amount: formatAtomicAmount(requirements.amount, net?.asset.decimals ?? 6),
        symbol: net?.asset.symbol ?? 'USDC',
        networkName: net?.name ?? requirements.network,
      };
    },
  };
}
