/**
 * The credit records in SQL (PGlite and Postgres alike; tables of migration 4). A charge row is
 * inserted with ON CONFLICT DO NOTHING and finished with a WHERE state = 'pending', so a replayed
 * write changes nothing; credit limits are numeric(78, 0), exact for any uint128.
 */
import type { SqlQueryable } from '../sql/client.js';
import {
  type CreditAccount,
  type CreditAccounts,
  type CreditCharge,
  type CreditChargeState,
  type CreditCharges,
  type CreditCoverage,
  creditAccountInputSchema,
  type Hex,
} from './types.js';

type Int = number | string | bigint;

interface AccountRow {
  payer: string;
  customer: string;
  payment_method: string;
  credit_limit: string;
  currency: string;
  created_at: Int;
  updated_at: Int;
}

interface ChargeRow {
  id: string;
  payer: string;
  customer: string;
  payment_method: string;
  currency: string;
  amount_cents: Int;
  covered: { channelId: string; claimedTo: string }[] | string;
  state: CreditChargeState;
  payment_intent: string | null;
  decline_code: string | null;
  attempt: Int;
  created_at: Int;
  updated_at: Int;
}

const ACCOUNT_COLUMNS =
  'payer, customer, payment_method, credit_limit::text AS credit_limit, currency, created_at, updated_at';
const CHARGE_COLUMNS = `id, payer, customer, payment_method, currency, amount_cents, covered, state,
  payment_intent, decline_code, attempt, created_at, updated_at`;

const REGISTER_SQL = `
INSERT INTO x402_credit_accounts AS a
  (payer, customer, payment_method, credit_limit, currency, created_at, updated_at)
VALUES ($1, $2, $3, $4::numeric, $5, $6, $6)
ON CONFLICT (payer) DO UPDATE SET customer = EXCLUDED.customer,
  payment_method = EXCLUDED.payment_method, credit_limit = EXCLUDED.credit_limit,
  currency = EXCLUDED.currency, updated_at = EXCLUDED.updated_at
RETURNING ${ACCOUNT_COLUMNS}`;

const INSERT_CHARGE_SQL = `
INSERT INTO x402_credit_charges (${CHARGE_COLUMNS})
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13)
ON CONFLICT (id) DO NOTHING`;

const FINISH_CHARGE_SQL = `
UPDATE x402_credit_charges SET state = $2, payment_intent = coalesce($3, payment_intent),
  decline_code = coalesce($4, decline_code), updated_at = $5
WHERE id = $1 AND state = 'pending'
RETURNING ${CHARGE_COLUMNS}`;

const toAccount = (row: AccountRow): CreditAccount => ({
  payer: row.payer as Hex,
  customer: row.customer,
  paymentMethod: row.payment_method,
  creditLimit: BigInt(row.credit_limit),
  currency: row.currency as 'usd',
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

function toCharge(row: ChargeRow): CreditCharge {
  const covered = (typeof row.covered === 'string' ? JSON.parse(row.covered) : row.covered) as {
    channelId: string;
    claimedTo: string;
  }[];
  return {
    id: row.id,
    payer: row.payer as Hex,
    customer: row.customer,
    paymentMethod: row.payment_method,
    currency: row.currency as 'usd',
    amountCents: Number(row.amount_cents),
    covered: covered.map(
      (c): CreditCoverage => ({ channelId: c.channelId as Hex, claimedTo: BigInt(c.claimedTo) }),
    ),
    state: row.state,
    ...(row.payment_intent !== null ? { paymentIntent: row.payment_intent } : {}),
    ...(row.decline_code !== null ? { declineCode: row.decline_code } : {}),
    attempt: Number(row.attempt),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function createSqlCreditAccounts(db: SqlQueryable): CreditAccounts {
  return {
    async register(input, now) {
      const a = creditAccountInputSchema.parse(input);
      const [row] = await db.query<AccountRow>(REGISTER_SQL, [
        a.payer,
        a.customer,
        a.paymentMethod,
        a.creditLimit.toString(),
        a.currency,
        now,
      ]);
      if (!row) throw new Error('registering a credit account returned no row');
      return toAccount(row);
    },
    async get(payer) {
      const [row] = await db.query<AccountRow>(
        `SELECT ${ACCOUNT_COLUMNS} FROM x402_credit_accounts WHERE payer = $1`,
        [payer.toLowerCase()],
      );
      return row ? toAccount(row) : undefined;
    },
  };
}

export function createSqlCreditCharges(db: SqlQueryable): CreditCharges {
  const select = async (where: string, params: (string | number)[]) =>
    (
      await db.query<ChargeRow>(
        `SELECT ${CHARGE_COLUMNS} FROM x402_credit_charges WHERE ${where} ORDER BY seq`,
        params,
      )
    ).map(toCharge);
  return {
    async insert(c) {
      await db.query(INSERT_CHARGE_SQL, [
        c.id,
        c.payer.toLowerCase(),
        c.customer,
        c.paymentMethod,
        c.currency,
        c.amountCents,
        JSON.stringify(
          c.covered.map((x) => ({ channelId: x.channelId, claimedTo: x.claimedTo.toString() })),
        ),
        c.state,
        c.paymentIntent ?? null,
        c.declineCode ?? null,
        c.attempt,
        c.createdAt,
        c.updatedAt,
      ]);
    },
    async get(id) {
      return (await select('id = $1', [id]))[0];
    },
    pending: () => select(`state = 'pending'`, []),
    async latestFor(payer) {
      const rows = await select('payer = $1', [payer.toLowerCase()]);
      return rows[rows.length - 1];
    },
    listFor: (payer) => select('payer = $1', [payer.toLowerCase()]),
    async finish(id, result) {
      const [row] = await db.query<ChargeRow>(FINISH_CHARGE_SQL, [
        id,
        result.state,
        result.paymentIntent ?? null,
        result.declineCode ?? null,
        result.now,
      ]);
      if (row) return toCharge(row);
      return (await select('id = $1', [id]))[0];
    },
  };
}
