/**
 * The client role of the credit-backed binding: a billing identity's key signs, per request, the
 * next cumulative voucher of its one channel to the receiver in the current billing period (salt
 * zero), under the ledger's domain. The cumulative bookkeeping and the corrective 402 are the
 * on-chain client's (`createCumulativeClient`).
 */
import type { Network, PaymentRequirements, SchemeClient } from '@x402-rails/core';
import { privateKeyToAccount } from 'viem/accounts';
import {
  type ChannelAmountStore,
  type ChannelBinding,
  createCumulativeClient,
  memoryAmountStore,
} from '../client/cumulative.js';
import { BATCH_SETTLEMENT_SCHEME } from '../constants.js';
import type { LedgerDomain } from '../eip712.js';
import type { Hex } from '../ledger/types.js';
import { requirementsExtraSchema } from '../payload.js';
import type { TypedDataSigner } from '../voucher.js';
import {
  type CreditChannelConfig,
  creditChannelIdOf,
  creditRequirementsExtraSchema,
  isCreditNetwork,
  ZERO_SALT,
} from './wire.js';

export interface CreditClientSigner extends TypedDataSigner {
  readonly address: Hex;
}

export type CreditClientOptions = (
  | { signer: CreditClientSigner; privateKey?: never }
  | { privateKey: Hex; signer?: never }
) & {
  /** Where the client keeps its charged amounts (default: in memory). */
  store?: ChannelAmountStore;
};

export interface CreditClient extends SchemeClient {
  /** The channel config, id and domain this client pays `requirements` on. */
  channelFor(requirements: PaymentRequirements): {
    config: CreditChannelConfig;
    channelId: Hex;
    domain: LedgerDomain;
  };
  /** What the client believes is charged on a channel. */
  chargedOn(channelId: Hex): bigint;
}

/**
 * @example
 * const client = createPaymentClient({ schemes: [createCreditClient({ privateKey })] });
 */
export function createCreditClient(options: CreditClientOptions): CreditClient {
  const signer: CreditClientSigner = options.signer ?? privateKeyToAccount(options.privateKey);
  const store = options.store ?? memoryAmountStore();

  function channelFor(requirements: PaymentRequirements) {
    const extra = creditRequirementsExtraSchema.parse(requirements.extra ?? {});
    const domain: LedgerDomain = { name: extra.name, version: extra.version, ledger: extra.ledger };
    const config: CreditChannelConfig = {
      payer: signer.address,
      payerAuthorizer: signer.address,
      receiver: requirements.payTo as Hex,
      currency: requirements.asset,
      periodEnd: extra.periodEnd,
      salt: ZERO_SALT,
    };
    return { config, channelId: creditChannelIdOf(config, domain), domain };
  }

  const binding: ChannelBinding = {
    channelFor: (requirements) => ({ ...channelFor(requirements), signer: signer.address }),
    correctiveState(requirements) {
      // The corrective 402 carries the on-chain binding's channelState / voucherState.
      const extra = requirementsExtraSchema
        .pick({ channelState: true, voucherState: true })
        .safeParse(requirements.extra ?? {});
      return extra.success ? extra.data : undefined;
    },
  };

  // The period each receiver was last paid in: a refusal naming a later one means the period
  // ended between the 402 and the payment, and paying again on the new period's channel is right.
  const lastPeriod = new Map<string, number>();
  const receiverKey = (r: PaymentRequirements, ledger: string) =>
    `${r.network}|${r.payTo.toLowerCase()}|${ledger.toLowerCase()}`;
  const cumulative = createCumulativeClient(binding, { signer, store });

  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    networks: ['credit:*'] as Network[],
    channelFor,
    ...cumulative,
    async create(context) {
      const created = await cumulative.create(context);
      const extra = creditRequirementsExtraSchema.parse(context.requirements.extra ?? {});
      lastPeriod.set(receiverKey(context.requirements, extra.ledger), extra.periodEnd);
      return created;
    },
    retryAfterRefusal(requirements) {
      if (cumulative.retryAfterRefusal(requirements)) return true;
      const extra = creditRequirementsExtraSchema.safeParse(requirements.extra ?? {});
      if (!extra.success) return false;
      const paid = lastPeriod.get(receiverKey(requirements, extra.data.ledger));
      return paid !== undefined && extra.data.periodEnd > paid;
    },
    canPay(requirements) {
      return (
        requirements.scheme === BATCH_SETTLEMENT_SCHEME &&
        isCreditNetwork(requirements.network) &&
        /^[a-z]{3}$/.test(requirements.asset) &&
        creditRequirementsExtraSchema.safeParse(requirements.extra ?? {}).success
      );
    },
  };
}
