/**
 * The schema of every SQL driver, as an ordered list of migrations. Applied in order at open,
 * each once, recorded in `x402_schema_migrations`. Never edit a released migration: append one.
 *
 * Timestamps are bigint epoch milliseconds (the records' `createdAt` / `updatedAt` numbers), so
 * they compare without time-zone conversions and round-trip exactly.
 */
export interface Migration {
  /** Strictly increasing from 1, without gaps. */
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS_TABLE = 'x402_schema_migrations';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'payments, settlements and vouchers',
    sql: `
-- The resource server's payment journal (core's PaymentLedger). The primary key is what makes a
-- payment usable once: a claim is an INSERT … ON CONFLICT, decided by the database.
CREATE TABLE x402_payments (
  payment_id     text PRIMARY KEY,
  scheme         text NOT NULL,
  network        text NOT NULL,
  asset          text NOT NULL,
  amount         text NOT NULL,
  pay_to         text NOT NULL,
  resource       text NOT NULL,
  state          text NOT NULL
                 CHECK (state IN ('claimed', 'verified', 'settled', 'failed', 'released')),
  attempts       integer NOT NULL,
  payer          text,
  reason         text,
  transaction_id text,
  created_at     bigint NOT NULL,
  updated_at     bigint NOT NULL
);
-- Retention deletes final rows by age.
CREATE INDEX x402_payments_final_updated_idx ON x402_payments (updated_at)
  WHERE state IN ('settled', 'failed', 'released');

-- The facilitator's settlement journal (core's SettlementJournal): one row per rail payment key,
-- with what is needed to reconcile after a crash (payload, requirements) and the rail's result.
CREATE TABLE x402_settlements (
  key            text PRIMARY KEY,
  scheme         text NOT NULL,
  network        text NOT NULL,
  payload        jsonb NOT NULL,
  requirements   jsonb NOT NULL,
  state          text NOT NULL CHECK (state IN ('pending', 'settled', 'failed')),
  result         jsonb,
  attempts       integer NOT NULL,
  -- How the current attempt began: 'first', 'retry' (after a failure) or 'takeover' (the previous
  -- attempt's lease ran out). Written by the begin upsert itself, which is how it reports a takeover.
  begun_as       text NOT NULL CHECK (begun_as IN ('first', 'retry', 'takeover')),
  lease_until    bigint NOT NULL,
  created_at     bigint NOT NULL,
  updated_at     bigint NOT NULL
);
CREATE INDEX x402_settlements_pending_created_idx ON x402_settlements (created_at)
  WHERE state = 'pending';
CREATE INDEX x402_settlements_final_updated_idx ON x402_settlements (updated_at)
  WHERE state <> 'pending';

-- Reserved for the deferred rail's voucher ledger: the signed cumulative vouchers per channel.
-- No API reads or writes it yet; the deferred rail will define its states in a later migration.
CREATE TABLE x402_vouchers (
  channel_id        text NOT NULL,
  sequence          bigint NOT NULL CHECK (sequence >= 0),
  cumulative_amount numeric(78, 0) NOT NULL CHECK (cumulative_amount >= 0),
  voucher           jsonb NOT NULL,
  state             text NOT NULL,
  created_at        bigint NOT NULL,
  updated_at        bigint NOT NULL,
  -- One voucher per (channel, sequence): a replayed voucher is a conflict, not a second row.
  PRIMARY KEY (channel_id, sequence)
);
`,
  },
  {
    version: 2,
    name: 'index of in-flight payments for crash recovery',
    sql: `
CREATE INDEX x402_payments_in_flight_updated_idx ON x402_payments (updated_at)
  WHERE state IN ('claimed', 'verified');
`,
  },
  {
    version: 3,
    name: 'deferred channels and redemptions',
    sql: `
-- The deferred rail's channel ledger (DeferredLedger of @x402-rails/deferred): one row per channel
-- holding what it has charged (the latest committed voucher: the evidence a claim sends on chain),
-- at most one in-flight voucher, and what redemption has collected. Every write is one statement
-- whose WHERE is the compare-and-swap. Amounts are numeric(78, 0), exact for any uint256.
CREATE TABLE x402_deferred_channels (
  channel_id          text PRIMARY KEY,
  network             text NOT NULL,
  escrow              text NOT NULL,
  asset               text NOT NULL,
  payer               text NOT NULL,
  receiver            text NOT NULL,
  config              jsonb NOT NULL,
  charged             numeric(78, 0) NOT NULL CHECK (charged >= 0),
  claimed             numeric(78, 0) NOT NULL CHECK (claimed >= 0),
  -- The committed voucher (all NULL before the first commit).
  charged_signature   text,
  commitment_id       text,
  committed_at        bigint,
  -- The reserved voucher (all NULL when none).
  pending_id          text,
  pending_amount      numeric(78, 0) CHECK (pending_amount >= 0),
  pending_signature   text,
  pending_expires_at  bigint,
  created_at          bigint NOT NULL,
  updated_at          bigint NOT NULL,
  CHECK ((pending_id IS NULL) = (pending_amount IS NULL)),
  CHECK ((commitment_id IS NULL) = (charged_signature IS NULL))
);
-- commit and release find a channel by the id of its reservation or of its last commitment. A
-- reservation id is unique per attempt, and the unique index makes sure one commit moves one channel.
CREATE UNIQUE INDEX x402_deferred_channels_pending_idx ON x402_deferred_channels (pending_id)
  WHERE pending_id IS NOT NULL;
CREATE INDEX x402_deferred_channels_commitment_idx ON x402_deferred_channels (commitment_id)
  WHERE commitment_id IS NOT NULL;
-- No index for redemption's "charged > claimed" scan: every reserve and commit moves updated_at and
-- the pending columns, so each index is one more insert on the request path, and redemption is a
-- batch job that can afford a scan.

-- The redemption journal: a claim transaction, signed, recorded before it is broadcast.
CREATE TABLE x402_deferred_redemptions (
  id               text PRIMARY KEY,
  network          text NOT NULL,
  escrow           text NOT NULL,
  vouchers         jsonb NOT NULL,
  transaction_hash text NOT NULL,
  raw_transaction  text NOT NULL,
  sender           text NOT NULL,
  nonce            bigint NOT NULL CHECK (nonce >= 0),
  state            text NOT NULL CHECK (state IN ('pending', 'confirmed', 'dropped')),
  created_at       bigint NOT NULL,
  updated_at       bigint NOT NULL
);
CREATE INDEX x402_deferred_redemptions_pending_idx ON x402_deferred_redemptions (created_at)
  WHERE state = 'pending';
`,
  },
  {
    version: 4,
    name: 'credit accounts and card charges',
    sql: `
-- The credit-backed deferred rail: billing identities (the voucher key, its Stripe customer and
-- card, a credit limit in asset units) and the journal of card charges, written before each
-- PaymentIntent is created (its id is the idempotency key).
CREATE TABLE x402_credit_accounts (
  payer          text PRIMARY KEY,
  customer       text NOT NULL,
  payment_method text NOT NULL,
  credit_limit   numeric(78, 0) NOT NULL CHECK (credit_limit >= 0),
  currency       text NOT NULL,
  created_at     bigint NOT NULL,
  updated_at     bigint NOT NULL
);
CREATE TABLE x402_credit_charges (
  seq            bigint GENERATED ALWAYS AS IDENTITY,
  id             text PRIMARY KEY,
  payer          text NOT NULL,
  customer       text NOT NULL,
  payment_method text NOT NULL,
  currency       text NOT NULL,
  amount_cents   bigint NOT NULL CHECK (amount_cents > 0),
  covered        jsonb NOT NULL,
  state          text NOT NULL CHECK (state IN ('pending', 'succeeded', 'declined', 'failed')),
  payment_intent text,
  decline_code   text,
  attempt        integer NOT NULL CHECK (attempt >= 1),
  created_at     bigint NOT NULL,
  updated_at     bigint NOT NULL
);
CREATE INDEX x402_credit_charges_payer_idx ON x402_credit_charges (payer, seq);
CREATE INDEX x402_credit_charges_pending_idx ON x402_credit_charges (seq) WHERE state = 'pending';
`,
  },
  {
    version: 5,
    name: 'deferred channels by payer',
    sql: `
-- payerChannels: a payer's channels on one network (a credit limit is checked against their sum).
-- Addresses arrive in any case, so the index is on lower(payer), as the query compares.
CREATE INDEX x402_deferred_channels_payer_idx
  ON x402_deferred_channels (network, lower(payer));
`,
  },
];
