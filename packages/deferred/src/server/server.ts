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
  type RequirementsContext,
  type SchemeServer,
} from '@x402-rails/core';
import { getAddress } from 'viem';
import { BATCH_SETTLEMENT_SCHEME, MAX_WITHDRAW_DELAY, MIN_WITHDRAW_DELAY } from '../constants.js';
import type { EscrowChannelState } from '../facilitator/chain-state.js';
import { decodeVoucherPayload } from '../facilitator/check.js';
import { deferredPaymentId } from '../facilitator/payment-id.js';
import type { DeferredLedger, Hex } from '../ledger/types.js';
import { voucherServerHooks } from './voucher-hooks.js';

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
    ...voucherServerHooks({
      ledger: options.channels?.ledger,
      channelIdOf: (payload) => {
        const decoded = decodeVoucherPayload(payload);
        return decoded.ok ? decoded.voucher.channelId : undefined;
      },
      chainState: (network, channelId) =>
        options.channels?.networkContext?.(network)?.chainState.get(channelId),
      now,
    }),

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
