/**
 * The server role of the credit-backed binding: prices in micro-dollars, `extra` naming the
 * ledger's domain and the current billing period's end, the payment id, and the corrective 402
 * (a voucher refused for its cumulative amount is answered with the channel state the ledger
 * holds, in the on-chain binding's shape).
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
import { BATCH_SETTLEMENT_SCHEME } from '../constants.js';
import type { DeferredLedger } from '../ledger/types.js';
import { voucherServerHooks } from '../server/voucher-hooks.js';
import type { CreditLedgerContext } from './check.js';
import { readCreditPayload } from './check.js';
import { type CreditLedgerConfig, creditLedgerContext, creditPaymentId } from './facilitator.js';
import { CREDIT_DECIMALS, creditPeriodEnd } from './wire.js';

export interface CreditServerOptions {
  /** The same ledger configs as the facilitator's (domain and period must agree). */
  networks: readonly CreditLedgerConfig[];
  /** Where the corrective 402 reads a channel's state (the facilitator role, or the ledger). */
  channels?: { readonly ledger: DeferredLedger };
  now?: () => number;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * @example
 * const server = createCreditServer({ networks: [{ network: 'credit:acme', ledgerAddress }], channels: facilitator });
 */
export function createCreditServer(options: CreditServerOptions): SchemeServer {
  const contexts = new Map<string, CreditLedgerContext>(
    options.networks.map((n) => [n.network, creditLedgerContext(n)]),
  );
  const now = options.now ?? Date.now;
  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    networks: [...contexts.keys()] as Network[],
    // The period's end moves with the clock.
    staticRequirements: false,
    ...voucherServerHooks({
      ledger: options.channels?.ledger,
      channelIdOf: (payload) => readCreditPayload(payload)?.voucher.channelId,
      now,
    }),

    requirements(context: RequirementsContext): PaymentRequirements {
      const ledger = contexts.get(context.network);
      if (!ledger)
        throw new ConfigError(`Network ${context.network} is not a configured credit ledger`);
      if (!ADDRESS.test(context.payTo))
        throw new ConfigError(`payTo ${context.payTo} is not an address`);
      let amount: bigint;
      if (context.price.atomic) {
        if (context.price.atomic.asset !== 'usd')
          throw new ConfigError('credit-backed prices are in usd (micro-dollars)');
        amount = BigInt(context.price.atomic.amount);
      } else if (context.price.money !== undefined) {
        amount = parseMoney(context.price.money, CREDIT_DECIMALS);
      } else {
        throw new ConfigError('A price is required');
      }
      if (amount <= 0n) throw new ConfigError('A price must be above zero');
      return {
        scheme: BATCH_SETTLEMENT_SCHEME,
        network: context.network,
        amount: amount.toString(),
        asset: 'usd',
        payTo: getAddress(context.payTo),
        maxTimeoutSeconds: context.maxTimeoutSeconds,
        extra: {
          name: ledger.domain.name,
          version: ledger.domain.version,
          ledger: getAddress(ledger.domain.ledger),
          periodEnd: creditPeriodEnd(now(), ledger.periodSeconds),
          decimals: CREDIT_DECIMALS,
          ...context.extra,
        },
      };
    },

    paymentId: creditPaymentId,

    describe(requirements): DisplayAmount {
      return {
        amount: formatAtomicAmount(requirements.amount, CREDIT_DECIMALS),
        symbol: 'USD',
        networkName: `${requirements.network.slice('credit:'.length)} (credit)`,
      };
    },
  };
}
