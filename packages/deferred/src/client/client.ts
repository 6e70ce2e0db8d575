/**
 * The client role of the deferred rail: for each request, the next cumulative voucher of the
 * channel to the server (charged so far + price). It keeps, per channel, the amount it has signed
 * for; on a corrective 402 it adopts the server's charged amount if the server proves it with a
 * voucher this client signed, and the engine pays once more (`retryAfterRefusal`).
 */
import type {
  CreatedPayment,
  CreatePaymentContext,
  Network,
  PaymentRequirements,
  SchemeClient,
} from '@x402-rails/core';
import { BATCH_SETTLEMENT_SCHEME, OFFICIAL_BATCH_SETTLEMENT_ADDRESS } from '../constants.js';
import { channelIdOf, type EscrowDomain } from '../eip712.js';
import type { Hex } from '../ledger/types.js';
import { type ChannelConfig, requirementsExtraSchema } from '../payload.js';
import type { TypedDataSigner } from '../voucher.js';
import { verifyVoucherSignature } from '../voucher.js';
import { createVoucherPayload } from '../voucher-payload.js';

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

/** Per-channel "charged so far", as the client believes it. */
export interface ChannelAmountStore {
  get(channelId: Hex): bigint | undefined;
  set(channelId: Hex, charged: bigint): void;
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

function memoryStore(): ChannelAmountStore {
  const map = new Map<string, bigint>();
  return {
    get: (id) => map.get(id.toLowerCase()),
    set: (id, charged) => map.set(id.toLowerCase(), charged),
  };
}

/** The charged amount a corrective 402 proves with a voucher this client signed, if any. */
function provenCharged(
  requirements: PaymentRequirements,
  config: ChannelConfig,
  domain: EscrowDomain,
  channelId: Hex,
): bigint | undefined {
  const extra = requirementsExtraSchema.safeParse(requirements.extra ?? {});
  if (!extra.success || !extra.data.channelState) return undefined;
  const { channelState, voucherState } = extra.data;
  if (channelState.channelId.toLowerCase() !== channelId) return undefined;
  const claimed = BigInt(channelState.chargedCumulativeAmount ?? '0');
  if (claimed === 0n) return 0n;
  if (!voucherState?.signature || voucherState.signedMaxClaimable === undefined) return undefined;
  const signed = BigInt(voucherState.signedMaxClaimable);
  // The server may only move us to an amount we signed ourselves.
  if (signed !== claimed) return undefined;
  const check = verifyVoucherSignature({
    config,
    voucher: {
      channelId,
      maxClaimableAmount: signed.toString(),
      signature: voucherState.signature,
    },
    domain,
  });
  return check.ok ? signed : undefined;
}

export function createDeferredClient(options: DeferredClientOptions): DeferredClient {
  const store = options.store ?? memoryStore();
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

  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    networks: ['eip155:*'] as Network[],
    channelFor,
    chargedOn: (channelId) => store.get(channelId) ?? 0n,

    canPay(requirements) {
      return (
        requirements.scheme === BATCH_SETTLEMENT_SCHEME &&
        requirements.network.startsWith('eip155:') &&
        requirementsExtraSchema.safeParse(requirements.extra ?? {}).success
      );
    },

    retryAfterRefusal(requirements) {
      // Only a 402 that carries a channel state this client can adopt is worth a second payment.
      try {
        const { config, channelId, domain } = channelFor(requirements);
        return provenCharged(requirements, config, domain, channelId) !== undefined;
      } catch {
        return false;
      }
    },

    async create({ requirements }: CreatePaymentContext): Promise<CreatedPayment> {
      const { config, channelId, domain } = channelFor(requirements);
      const adopted = provenCharged(requirements, config, domain, channelId);
      if (adopted !== undefined) store.set(channelId, adopted);
      const charged = store.get(channelId) ?? 0n;
      const price = BigInt(requirements.amount);
      // Counted before sending: a concurrent request signs on top of this one (the server serves
      // one per channel at a time and corrects the other).
      store.set(channelId, charged + price);
      const payload = await createVoucherPayload(options.signer, {
        config,
        charged,
        price,
        domain,
      });
      return { payload: { ...payload } };
    },
  };
}
