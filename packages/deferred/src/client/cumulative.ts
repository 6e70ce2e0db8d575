/**
 * The paying side every deferred binding shares: per channel, the cumulative amount signed so far;
 * each payment signs `charged + price`; a corrective 402 or a settle response moves the count only
 * to an amount the server proves with a voucher this client signed. A binding says which channel
 * requirements mean and what its payload looks like.
 */
import type {
  CreatedPayment,
  CreatePaymentContext,
  PaymentRequirements,
  SettledContext,
} from '@x402-rails/core';
import { BATCH_SETTLEMENT_SCHEME } from '../constants.js';
import type { VoucherDomain } from '../eip712.js';
import type { Hex } from '../ledger/types.js';
import { settleResponseExtraSchema } from '../payload.js';
import {
  signChannelVoucher,
  type TypedDataSigner,
  verifyChannelVoucherSignature,
} from '../voucher.js';

/** Per-channel "charged so far", as the client believes it. */
export interface ChannelAmountStore {
  get(channelId: Hex): bigint | undefined;
  set(channelId: Hex, charged: bigint): void;
}

/** A channel state a server sends (corrective 402 or settle response), untrusted. */
export interface ClaimedState {
  channelState?: { channelId: string; chargedCumulativeAmount?: string | undefined } | undefined;
  voucherState?:
    | { signedMaxClaimable?: string | undefined; signature?: Hex | undefined }
    | undefined;
}

/** The channel a binding pays requirements on. */
export interface BoundChannel {
  /** The binding's channel config, sent with every voucher (`payload.channelConfig`). */
  config: object;
  channelId: Hex;
  domain: VoucherDomain;
  /** Who signs its vouchers (this client's address). */
  signer: Hex;
}

export interface ChannelBinding {
  /** The channel of `requirements`; throws when they are not this binding's. */
  channelFor(requirements: PaymentRequirements): BoundChannel;
  /** The channel state a refusal's requirements carry, if they parse as this binding's. */
  correctiveState(requirements: PaymentRequirements): ClaimedState | undefined;
}

export function memoryAmountStore(): ChannelAmountStore {
  const map = new Map<string, bigint>();
  return {
    get: (id) => map.get(id.toLowerCase()),
    set: (id, charged) => map.set(id.toLowerCase(), charged),
  };
}

/**
 * The charged amount a server's channel state claims, if the state is for this channel and the
 * amount is proven by a voucher this client signed (zero needs no proof). Anything else: undefined.
 */
function provenBySignature(
  { channelState, voucherState }: ClaimedState,
  channel: BoundChannel,
): bigint | undefined {
  if (!channelState) return undefined;
  if (channelState.channelId.toLowerCase() !== channel.channelId) return undefined;
  const claimed = BigInt(channelState.chargedCumulativeAmount ?? '0');
  if (claimed === 0n) return 0n;
  if (!voucherState?.signature || voucherState.signedMaxClaimable === undefined) return undefined;
  const signed = BigInt(voucherState.signedMaxClaimable);
  // The server may only move us to an amount we signed ourselves.
  if (signed !== claimed) return undefined;
  const check = verifyChannelVoucherSignature({
    voucher: {
      channelId: channel.channelId,
      maxClaimableAmount: signed.toString(),
      signature: voucherState.signature,
    },
    domain: channel.domain,
    signer: channel.signer,
  });
  return check.ok ? signed : undefined;
}

function provenCharged(
  binding: ChannelBinding,
  requirements: PaymentRequirements,
  channel: BoundChannel,
): bigint | undefined {
  const state = binding.correctiveState(requirements);
  return state ? provenBySignature(state, channel) : undefined;
}

/** The client hooks of a binding (the parts of a SchemeClient that are not its identity). */
export function createCumulativeClient(
  binding: ChannelBinding,
  options: { signer: TypedDataSigner; store: ChannelAmountStore },
) {
  const { store } = options;
  return {
    chargedOn: (channelId: Hex) => store.get(channelId) ?? 0n,

    retryAfterRefusal(requirements: PaymentRequirements): boolean {
      // Only a 402 that carries a channel state this client can adopt is worth a second payment.
      try {
        return provenCharged(binding, requirements, binding.channelFor(requirements)) !== undefined;
      } catch {
        return false;
      }
    },

    settled({ requirements, settlement }: SettledContext): void {
      // The settle state (official binding: extra.channelState / voucherState) is adopted only
      // when it is this channel's and proven by this client's own signature, and only forward:
      // requests still in flight have already counted past it.
      const extra = settleResponseExtraSchema.safeParse(settlement.extra ?? {});
      if (!extra.success || requirements.scheme !== BATCH_SETTLEMENT_SCHEME) return;
      const channel = binding.channelFor(requirements);
      const charged = provenBySignature(extra.data, channel);
      if (charged !== undefined && charged > (store.get(channel.channelId) ?? 0n)) {
        store.set(channel.channelId, charged);
      }
    },

    async create({ requirements }: CreatePaymentContext): Promise<CreatedPayment> {
      const channel = binding.channelFor(requirements);
      const adopted = provenCharged(binding, requirements, channel);
      if (adopted !== undefined) store.set(channel.channelId, adopted);
      const charged = store.get(channel.channelId) ?? 0n;
      const price = BigInt(requirements.amount);
      if (price < 0n) throw new RangeError('amounts are not negative');
      // Counted before sending: a concurrent request signs on top of this one (the server serves
      // one per channel at a time and corrects the other).
      store.set(channel.channelId, charged + price);
      const voucher = await signChannelVoucher(options.signer, {
        channelId: channel.channelId,
        maxClaimableAmount: charged + price,
        domain: channel.domain,
      });
      // Every binding's voucher payload: `{ type: 'voucher', channelConfig, voucher }`.
      return { payload: { type: 'voucher', channelConfig: channel.config, voucher } };
    },
  };
}
