/**
 * The verify step without the reservation: everything a voucher must meet before it may be held
 * against its channel — scheme, network, payload, channel terms, signature, cumulative amount,
 * escrow balance, and no withdrawal about to complete.
 */
import {
  PayloadDecodeError,
  type PaymentPayload,
  type PaymentRequirements,
} from '@x402-rails/core';
import type { PublicClient } from 'viem';
import { channelTermsProblem, cumulativeProblem } from '../channel-rules.js';
import { BATCH_SETTLEMENT_SCHEME } from '../constants.js';
import type { EscrowDomain } from '../eip712.js';
import type { DeferredLedger, Hex } from '../ledger/types.js';
import { parseBatchSettlementPayload } from '../parse.js';
import { type ChannelConfig, requirementsExtraSchema, type VoucherFields } from '../payload.js';
import { DeferredReason } from '../reasons.js';
import { verifyVoucherSignature, verifyVoucherSignatureOnChain } from '../voucher.js';
import type { ChainStateCache, EscrowChannelState } from './chain-state.js';
import { DeferredRoleReason } from './reasons.js';

export interface NetworkContext {
  network: string;
  domain: EscrowDomain;
  client: Pick<PublicClient, 'getCode' | 'readContract'>;
  chainState: ChainStateCache;
}

export interface CheckedVoucher {
  config: ChannelConfig;
  voucher: VoucherFields;
  channelId: Hex;
  cumulative: bigint;
  price: bigint;
  /**
   * The `charged` the reservation expects: `cumulative - price`. The ledger is not read on the way
   * to an accepted voucher; its compare-and-swap refuses one on a stale amount.
   */
  expectedCharged: bigint;
  chain: EscrowChannelState;
  net: NetworkContext;
}

export type CheckResult =
  | { ok: true; checked: CheckedVoucher }
  | {
      ok: false;
      reason: string;
      message: string;
      payer?: string;
      /** Present once the channel is known: the corrective 402's state comes from it. */
      channelId?: Hex;
    };

export interface CheckOptions {
  ledger: DeferredLedger;
  networkOf(network: string): NetworkContext | undefined;
  /** Refuse vouchers when a pending withdrawal completes within this many seconds. */
  closingMarginSeconds: number;
  now: () => number;
}

const refuse = (reason: string, message: string, extra: { payer?: string; channelId?: Hex } = {}) =>
  ({ ok: false, reason, message, ...extra }) as const;

/** Parses the payload; a PayloadDecodeError becomes a refusal. */
export function decodeVoucherPayload(
  payload: PaymentPayload,
):
  | { ok: true; config: ChannelConfig; voucher: VoucherFields }
  | { ok: false; reason: string; message: string } {
  try {
    const parsed = parseBatchSettlementPayload(payload.payload);
    if (parsed.type !== 'voucher') {
      return refuse(
        DeferredRoleReason.depositNotRelayed,
        'Fund the channel on chain (escrow deposit) and pay with a plain voucher.',
      );
    }
    return { ok: true, config: parsed.channelConfig, voucher: parsed.voucher };
  } catch (error) {
    if (error instanceof PayloadDecodeError) return refuse(error.code, error.message);
    throw error;
  }
}

export async function checkVoucher(
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  options: CheckOptions,
): Promise<CheckResult> {
  if (
    requirements.scheme !== BATCH_SETTLEMENT_SCHEME ||
    payload.accepted.scheme !== requirements.scheme
  ) {
    return refuse(DeferredReason.invalidScheme, 'Not a batch-settlement payment.');
  }
  const net = options.networkOf(requirements.network);
  if (!net || payload.accepted.network !== requirements.network) {
    return refuse(DeferredReason.invalidNetwork, `Network ${requirements.network} is not served.`);
  }
  const decoded = decodeVoucherPayload(payload);
  if (!decoded.ok) return decoded;
  const { config, voucher } = decoded;
  const payer = config.payer;
  const extra = requirementsExtraSchema.safeParse(requirements.extra ?? {});
  if (!extra.success) {
    return refuse(
      'invalid_payment_requirements',
      'The requirements lack the batch-settlement extra.',
      { payer },
    );
  }
  const termsProblem = channelTermsProblem(config, {
    receiver: requirements.payTo,
    receiverAuthorizer: extra.data.receiverAuthorizer,
    token: requirements.asset,
    withdrawDelay: extra.data.withdrawDelay,
  });
  if (termsProblem)
    return refuse(termsProblem, 'The channel config is not this server’s terms.', { payer });

  const input = { config, voucher, domain: net.domain };
  let signature = verifyVoucherSignature(input);
  if (!signature.ok && signature.reason === DeferredReason.voucherSignature) {
    // Perhaps a contract wallet (EIP-1271): ask the chain, as the escrow would.
    signature = await verifyVoucherSignatureOnChain(net.client, input);
  }
  if (!signature.ok)
    return refuse(signature.reason, 'The voucher signature is not valid.', { payer });
  const channelId = signature.channelId;

  const price = BigInt(requirements.amount);
  const cumulative = BigInt(voucher.maxClaimableAmount);
  // The request path does not read the ledger: a voucher is taken at its word that the channel
  // stands at `cumulative - price`, and the reservation's compare-and-swap on exactly that amount is
  // what decides (a stale voucher is refused there, with the corrective 402's reason). Only a
  // voucher refused here reads the ledger, so its refusal is the one the channel's state gives.
  const assumed = cumulative >= price ? cumulative - price : undefined;
  let chain = await net.chainState.get(channelId);
  let charged = assumed ?? 0n;
  let problem =
    assumed === undefined
      ? DeferredReason.cumulativeMismatch
      : cumulativeProblem(cumulative, price, { charged, ...chain });
  if (problem) {
    charged = (await options.ledger.get(channelId))?.charged ?? 0n;
    problem = cumulativeProblem(cumulative, price, { charged, ...chain });
  }
  if (problem === DeferredReason.cumulativeExceedsBalance) {
    // The cached balance may predate a top-up: read again before refusing.
    chain = await net.chainState.get(channelId, { fresh: true });
    problem = cumulativeProblem(cumulative, price, { charged, ...chain });
  }
  if (problem) {
    const message =
      problem === DeferredReason.cumulativeMismatch
        ? `The voucher must carry charged + price = ${charged + price}.`
        : 'The voucher is not covered by the channel.';
    return refuse(problem, message, { payer, channelId });
  }
  if (chain.withdrawInitiatedAt > 0) {
    const finalAt = chain.withdrawInitiatedAt + config.withdrawDelay;
    if (options.now() / 1000 >= finalAt - options.closingMarginSeconds) {
      return refuse(DeferredRoleReason.channelClosing, 'The channel’s withdrawal completes soon.', {
        payer,
        channelId,
      });
    }
  }
  return {
    ok: true,
    checked: {
      config,
      voucher,
      channelId,
      cumulative,
      price,
      expectedCharged: charged,
      chain,
      net,
    },
  };
}
