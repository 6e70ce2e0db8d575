/**
 * The credit-backed verify checks, before the shared flow reserves the voucher: the payload, the
 * channel's terms (receiver, currency, zero salt, the current billing period), a registered payer,
 * the voucher signature under this ledger's domain, cumulative = charged + price, and the payer's
 * outstanding debt plus the price within its credit limit.
 */
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import type { CreditAccounts } from '@x402-rails/store';
import { BATCH_SETTLEMENT_SCHEME } from '../constants.js';
import type { LedgerDomain } from '../eip712.js';
import type { AcceptedVoucher, VoucherCheck, VoucherRef } from '../facilitator/voucher-flow.js';
import type { DeferredChannel, DeferredLedger, Hex } from '../ledger/types.js';
import { DeferredReason } from '../reasons.js';
import { verifyChannelVoucherSignature } from '../voucher.js';
import { CreditReason } from './reasons.js';
import {
  type CreditChannelConfig,
  type CreditVoucherPayload,
  creditChannelIdOf,
  creditPeriodEnd,
  creditVoucherPayloadSchema,
  ZERO_SALT,
} from './wire.js';

const ZERO_ADDRESS = `0x${'00'.repeat(20)}`;

/** One credit ledger: its network, EIP-712 domain and billing period length. */
export interface CreditLedgerContext {
  network: string;
  domain: LedgerDomain;
  periodSeconds: number;
}

export interface CreditCheckOptions {
  ledger: DeferredLedger;
  accounts: CreditAccounts;
  contextOf(network: string): CreditLedgerContext | undefined;
  now: () => number;
}

type Refusal = Extract<VoucherCheck, { ok: false }>;
const refuse = (reason: string, message: string, payer?: string): Refusal => ({
  ok: false,
  reason,
  message,
  ...(payer ? { payer } : {}),
});

/** The credit payload of a PaymentPayload, or undefined when it is not one. */
export function readCreditPayload(payload: PaymentPayload): CreditVoucherPayload | undefined {
  const parsed = creditVoucherPayloadSchema.safeParse(payload.payload);
  return parsed.success ? parsed.data : undefined;
}

export function creditVoucherRef(payload: PaymentPayload): VoucherRef | undefined {
  const parsed = readCreditPayload(payload);
  if (!parsed) return undefined;
  return {
    channelId: parsed.voucher.channelId,
    payer: parsed.channelConfig.payer,
    cumulative: BigInt(parsed.voucher.maxClaimableAmount),
    signature: parsed.voucher.signature,
  };
}

function termsProblem(
  config: CreditChannelConfig,
  requirements: PaymentRequirements,
  currentPeriodEnd: number,
): Refusal | undefined {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const payer = config.payer;
  if (!same(config.receiver, requirements.payTo))
    return refuse(DeferredReason.receiverMismatch, 'The channel pays another receiver.', payer);
  if (config.currency !== requirements.asset)
    return refuse(
      CreditReason.currencyMismatch,
      `The channel is not in ${requirements.asset}.`,
      payer,
    );
  if (config.salt.toLowerCase() !== ZERO_SALT)
    return refuse(CreditReason.saltNotZero, 'A credit channel’s salt is zero.', payer);
  if (!same(config.payerAuthorizer, ZERO_ADDRESS) && !same(config.payerAuthorizer, config.payer))
    return refuse(CreditReason.payerAuthorizerMismatch, 'Vouchers are signed by the payer.', payer);
  if (config.periodEnd < currentPeriodEnd)
    return refuse(
      CreditReason.periodEnded,
      `The billing period ending ${config.periodEnd} is over; pay on the current one (${currentPeriodEnd}).`,
      payer,
    );
  if (config.periodEnd !== currentPeriodEnd)
    return refuse(
      CreditReason.periodMismatch,
      `The current billing period ends at ${currentPeriodEnd}.`,
      payer,
    );
  return undefined;
}

/**
 * Every channel of the payer at this ledger, earlier periods included: one read gives both this
 * channel's charged amount and the payer's outstanding debt.
 */
async function payerChannelsOf(ledger: DeferredLedger, network: string, payer: Hex) {
  // createCreditFacilitator refuses a ledger without payerChannels: a partial scan would let a
  // payer with many channels outrun the limit.
  return (await ledger.payerChannels?.({ network, payer })) ?? [];
}

export async function checkCreditVoucher(
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  options: CreditCheckOptions,
): Promise<VoucherCheck> {
  if (
    requirements.scheme !== BATCH_SETTLEMENT_SCHEME ||
    payload.accepted.scheme !== requirements.scheme
  )
    return refuse(DeferredReason.invalidScheme, 'Not a batch-settlement payment.');
  const context = options.contextOf(requirements.network);
  if (!context || payload.accepted.network !== requirements.network)
    return refuse(DeferredReason.invalidNetwork, `Network ${requirements.network} is not served.`);
  const parsed = readCreditPayload(payload);
  if (!parsed)
    return refuse(DeferredReason.invalidPayload, 'The credit voucher payload is malformed.');
  const { channelConfig: config, voucher } = parsed;
  const payer = config.payer;
  const period = creditPeriodEnd(options.now(), context.periodSeconds);
  const terms = termsProblem(config, requirements, period);
  if (terms) return terms;
  const account = await options.accounts.get(payer);
  if (!account)
    return refuse(CreditReason.unknownPayer, 'The payer has no billing identity here.', payer);
  if (account.currency !== config.currency)
    return refuse(
      CreditReason.currencyMismatch,
      'The billing identity is in another currency.',
      payer,
    );
  const channelId = creditChannelIdOf(config, context.domain);
  if (voucher.channelId.toLowerCase() !== channelId)
    return refuse(DeferredReason.channelIdMismatch, 'The voucher is for another channel.', payer);
  const signature = verifyChannelVoucherSignature({
    voucher,
    domain: context.domain,
    signer: payer,
  });
  if (!signature.ok) return refuse(signature.reason, 'The voucher signature is not valid.', payer);
  const price = BigInt(requirements.amount);
  const cumulative = BigInt(voucher.maxClaimableAmount);
  const channels: DeferredChannel[] = await payerChannelsOf(options.ledger, context.network, payer);
  const charged = channels.find((c) => c.channelId.toLowerCase() === channelId)?.charged ?? 0n;
  if (cumulative !== charged + price)
    return refuse(
      DeferredReason.cumulativeMismatch,
      `The voucher must carry charged + price = ${charged + price}.`,
      payer,
    );
  const outstanding = channels.reduce((sum, c) => sum + (c.charged - c.claimed), 0n);
  if (outstanding + price > account.creditLimit)
    return refuse(
      CreditReason.creditLimitExceeded,
      `Owing ${outstanding} of a ${account.creditLimit} limit, ${price} more does not fit.`,
      payer,
    );
  const accepted: AcceptedVoucher = {
    channelId,
    payer,
    cumulative,
    signature: voucher.signature,
    expectedCharged: charged,
    identity: {
      channelId,
      network: context.network,
      escrow: context.domain.ledger,
      asset: config.currency,
      payer: config.payer,
      receiver: config.receiver,
      config,
    },
  };
  return { ok: true, voucher: accepted };
}
