/**
 * The facilitator role of the credit-backed binding: verify = the credit checks, then the shared
 * voucher flow (reserve in the channel ledger; settle = commit; release) — the same
 * compare-and-swap as on chain, no card call on the request path. Card charges happen later, in
 * `redeemCredit`.
 */
import {
  ConfigError,
  type Network,
  PayloadDecodeError,
  type PaymentPayload,
  type SchemeFacilitator,
} from '@x402-rails/core';
import type { CreditAccounts } from '@x402-rails/store';
import { BATCH_SETTLEMENT_SCHEME } from '../constants.js';
import { createVoucherFlow } from '../facilitator/voucher-flow.js';
import type { DeferredLedger, Hex } from '../ledger/types.js';
import { DeferredReason } from '../reasons.js';
import { type CreditLedgerContext, checkCreditVoucher, creditVoucherRef } from './check.js';
import { CREDIT_DOMAIN, isCreditNetwork } from './wire.js';

/** A credit ledger: its network id and the address that names its EIP-712 domain. */
export interface CreditLedgerConfig {
  /** `credit:<ledger-name>` (a CAIP-2 id of our own namespace). */
  network: `credit:${string}`;
  /** The ledger's verifying address (the domain's verifyingContract; no contract needs to exist). */
  ledgerAddress: Hex;
  /** EIP-712 domain name and version (default "x402 Credit Ledger", "1"). */
  name?: string;
  version?: string;
  /** Length of a billing period in seconds, epoch-aligned (default 604 800: a week). */
  periodSeconds?: number;
}

export interface CreditFacilitatorOptions {
  /** The channel ledger (memory, PGlite or Postgres from `@x402-rails/store`). */
  ledger: DeferredLedger;
  /** The billing identities (`store.creditAccounts`). */
  accounts: CreditAccounts;
  networks: readonly CreditLedgerConfig[];
  /** How long a reservation blocks its channel (default: the requirements' maxTimeoutSeconds). */
  pendingTtlMs?: number;
  now?: () => number;
}

export interface CreditFacilitator extends SchemeFacilitator {
  readonly ledger: DeferredLedger;
  /** The ledger context of a credit network (domain, period), for the server role. */
  creditContext(network: string): CreditLedgerContext | undefined;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The network's ledger context, validated (shared by the server role). */
export function creditLedgerContext(config: CreditLedgerConfig): CreditLedgerContext {
  if (!isCreditNetwork(config.network))
    throw new ConfigError(`network ${config.network} is not credit:<ledger-name>`);
  if (!ADDRESS.test(config.ledgerAddress))
    throw new ConfigError(`ledgerAddress ${config.ledgerAddress} is not an address`);
  const periodSeconds = config.periodSeconds ?? 604_800;
  if (!Number.isSafeInteger(periodSeconds) || periodSeconds < 1)
    throw new ConfigError(`periodSeconds ${periodSeconds} is not a positive whole number`);
  return {
    network: config.network,
    domain: {
      name: config.name ?? CREDIT_DOMAIN.name,
      version: config.version ?? CREDIT_DOMAIN.version,
      ledger: config.ledgerAddress.toLowerCase() as Hex,
    },
    periodSeconds,
  };
}

/** The once-only key of a credit voucher: network, channel and cumulative amount. */
export function creditPaymentId(payload: PaymentPayload): string {
  const ref = creditVoucherRef(payload);
  if (!ref)
    throw new PayloadDecodeError(DeferredReason.invalidPayload, {
      message: 'The credit voucher payload is malformed.',
    });
  return `${payload.accepted.network}:${ref.channelId.toLowerCase()}:${ref.cumulative}`;
}

/**
 * @example
 * const facilitator = createCreditFacilitator({
 *   ledger: store.deferredLedger,
 *   accounts: store.creditAccounts,
 *   networks: [{ network: 'credit:acme', ledgerAddress: '0x…' }],
 * });
 */
export function createCreditFacilitator(options: CreditFacilitatorOptions): CreditFacilitator {
  const now = options.now ?? Date.now;
  if (!options.ledger.payerChannels)
    throw new ConfigError(
      'the credit path needs a channel ledger with payerChannels (the credit limit sums every channel of a payer); the memory, PGlite and Postgres ledgers of @x402-rails/store have it',
    );
  const contexts = new Map<string, CreditLedgerContext>(
    options.networks.map((n) => [n.network, creditLedgerContext(n)]),
  );
  const checkOptions = {
    ledger: options.ledger,
    accounts: options.accounts,
    contextOf: (network: string) => contexts.get(network),
    now,
  };
  const flow = createVoucherFlow({
    ledger: options.ledger,
    now,
    ...(options.pendingTtlMs !== undefined ? { pendingTtlMs: options.pendingTtlMs } : {}),
    check: (payload, requirements) => checkCreditVoucher(payload, requirements, checkOptions),
    read: creditVoucherRef,
  });
  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    networks: [...contexts.keys()] as Network[],
    ledger: options.ledger,
    creditContext: (network) => contexts.get(network),
    verify: (payload, requirements) => flow.verify(payload, requirements),
    settle: (payload, requirements) => flow.settle(payload, requirements),
    release: (payload) => flow.release(payload),
    status: (payload, requirements) => flow.status(payload, requirements),
    paymentId: creditPaymentId,
    supportedNetworks: () => [...contexts.keys()] as Network[],
  };
}
