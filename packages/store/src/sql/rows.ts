/**
 * Rows as the drivers return them, and their mapping to core's records. `pg` returns bigint
 * columns as strings and PGlite as numbers, so every number goes through `Number`; NULL columns
 * become absent fields, as in the in-memory records.
 */
import type {
  PaymentPayload,
  PaymentRecord,
  PaymentRequirements,
  PaymentState,
  SettlementRecord,
  SettlementState,
  SettleResponse,
} from '@x402-rails/core';

type Int = number | string | bigint;

export interface PaymentRow {
  payment_id: string;
  scheme: string;
  network: string;
  asset: string;
  amount: string;
  pay_to: string;
  resource: string;
  state: PaymentState;
  attempts: Int;
  payer: string | null;
  reason: string | null;
  transaction_id: string | null;
  created_at: Int;
  updated_at: Int;
}

export const PAYMENT_COLUMNS =
  'payment_id, scheme, network, asset, amount, pay_to, resource, state, attempts, payer, reason, transaction_id, created_at, updated_at';

export function toPaymentRecord(row: PaymentRow): PaymentRecord {
  return {
    paymentId: row.payment_id,
    scheme: row.scheme,
    network: row.network,
    asset: row.asset,
    amount: row.amount,
    payTo: row.pay_to,
    resource: row.resource,
    state: row.state,
    attempts: Number(row.attempts),
    ...(row.payer !== null ? { payer: row.payer } : {}),
    ...(row.reason !== null ? { reason: row.reason } : {}),
    ...(row.transaction_id !== null ? { transaction: row.transaction_id } : {}),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export interface SettlementRow {
  key: string;
  scheme: string;
  network: string;
  payload: PaymentPayload;
  requirements: PaymentRequirements;
  state: SettlementState;
  result: SettleResponse | null;
  attempts: Int;
  begun_as: 'first' | 'retry' | 'takeover';
  lease_until: Int;
  created_at: Int;
  updated_at: Int;
}

export const SETTLEMENT_COLUMNS =
  'key, scheme, network, payload, requirements, state, result, attempts, begun_as, lease_until, created_at, updated_at';

export function toSettlementRecord(row: SettlementRow): SettlementRecord {
  return {
    key: row.key,
    scheme: row.scheme,
    network: row.network,
    payload: row.payload,
    requirements: row.requirements,
    state: row.state,
    ...(row.result !== null ? { result: row.result } : {}),
    attempts: Number(row.attempts),
    leaseUntil: Number(row.lease_until),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * The time of a write, in epoch ms, as a SQL expression over parameter `$n`: the injected clock
 * when the store was given one, else the database's clock, the one clock every instance shares.
 * `statement_timestamp()` is fixed for the whole statement, so all uses in one statement agree.
 */
export const nowMs = (n: number) =>
  `COALESCE($${n}::bigint, floor(extract(epoch FROM statement_timestamp()) * 1000)::bigint)`;
