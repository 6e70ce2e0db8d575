/**
 * The client role of the deferred rail: for each request, the next cumulative voucher of the
 * channel to the server (charged so far + price). It keeps, per channel, the amount it has signed
 * for; on a corrective 402 it adopts the server's charged amount if the server proves it with a
 * voucher this client signed, and the engine pays once more (`retryAfterRefusal`).
 */
import type { Network, PaymentRequirements, SchemeClient } from '@x402-rails/core';
import { BATCH_SETTLEMENT_SCHEME, OFFICIAL_BATCH_SETTLEMENT_ADDRESS } from '../constants.js';
import { channelIdOf, type EscrowDomain } from '../eip712.js';
import type { Hex } from '../ledger/types.js';
import { type ChannelConfig, requirementsExtraSchema } from '../payload.js';
import { type TypedDataSigner, voucherSignerOf } from '../voucher.js';
import {
  type ChannelAmountStore,
  type ChannelBinding,
  createCumulativeClient,
  memoryAmountStore,
} from './cumulative.js';

export type { ChannelAmountStore } from './cumulative.js';

export interface DeferredClientSigner extends TypedDataSigner {
  readonly address: Hex;
}

export interface DeferredClientOptions {
  signer: DeferredClientSigner;
  /** The escrow per network (default: the official batch-settlement address). */
  escrows?: Readonly<Record<string, Hex>>;
  /**
   * The salt of the channel to a receiver (a new salt is a new channel; default zero: one channel
   * per receiver, token and terms).
   */
  saltFor?(requirements: PaymentRequirements): Hex;
  /** Where the client keeps its charged amounts (default: in memory). */
  store?: ChannelAmountStore;
}

export interface DeferredClient extends SchemeClient {
  /** The channel config and id this client pays `requirements` on. */
  channelFor(requirements: PaymentRequirements): {
    config: ChannelConfig;
    channelId: Hex;
    domain: EscrowDomain;
  };
  /** What the client believes is charged on a channel. */
  chargedOn(channelId: Hex): bigint;
}

const ZERO_SALT = `0x${'00'.repeat(32)}` as Hex;

export function createDeferredClient(options: DeferredClientOptions): DeferredClient {
  const store = options.store ?? memoryAmountStore();
  const escrowOf = (network: string): Hex =>
    options.escrows?.[network] ?? (OFFICIAL_BATCH_SETTLEMENT_ADDRESS as Hex);

  function channelFor(requirements: PaymentRequirements) {
    const extra = requirementsExtraSchema.parse(requirements.extra ?? {});
    const chainId = Number(requirements.network.slice('eip155:'.length));
    const domain: EscrowDomain = { chainId, escrow: escrowOf(requirements.network) };
    const config: ChannelConfig = {
      payer: options.signer.address,
      payerAuthorizer: options.signer.address,
      receiver: requirements.payTo as Hex,
      receiverAuthorizer: extra.receiverAuthorizer,
      token: requirements.asset as Hex,
      withdrawDelay: extra.withdrawDelay,
      salt: options.saltFor?.(requirements) ?? ZERO_SALT,
    };
    return { config, channelId: channelIdOf(config, domain), domain };
  }

  const binding: ChannelBinding = {
    channelFor(requirements) {
      const channel = channelFor(requirements);
      return { ...channel, signer: voucherSignerOf(channel.config) };
    },
    correctiveState(requirements) {
      const extra = requirementsExtraSchema.safeParse(requirements.extra ?? {});
      return extra.success ? extra.data : undefined;
    },
  };

  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    networks: ['eip155:*'] as Network[],
    channelFor,
    ...createCumulativeClient(binding, { signer: options.signer, store }),

    canPay(requirements) {
      return (
        requirements.scheme === BATCH_SETTLEMENT_SCHEME &&
        requirements.network.startsWith('eip155:') &&
        requirementsExtraSchema.safeParse(requirements.extra ?? {}).success
      );
    },
  };
}
