/**
 * The deferred rail's channel ledger in SQL, shared by the PGlite and Postgres drivers. Each
 * decision is one statement whose WHERE is the compare-and-swap (a reservation's `charged` and
 * free-slot check, a commit's pending id), which Postgres serialises on the row lock; nothing is
 * decided in process memory, so it holds across instances sharing one database. Amounts go in and
 * out as decimal text (numeric(78, 0) in the table), so every uint128 round-trips exactly.
 */
import type {
  ChannelIdentity,
  CommitResult,
  DeferredChannel,
  DeferredLedger,
  ReserveInput,
  ReserveResult,
} from '../deferred/types.js';
import type { SqlParam, SqlQueryable } from './client.js';
import {
  amount,
  CHANNEL_COLUMNS,
  type ChannelRow,
  IDENTITY_COLUMNS,
  type IdentityRow,
  key,
  REDEMPTION_COLUMNS,
  type RedemptionRow,
  STATE_COLUMNS,
  type StateRow,
  type StoredRedemptionVoucher,
  time,
  toChannel,
  toIdentity,
  toRedemption,
} from './deferred-rows.js';

// The first reservation of a channel inserts it; later ones take the free pending slot only if
// `charged` is what the verifier saw ($13) and no unexpired reservation holds it. The WHERE of the
// DO UPDATE is evaluated on the locked, latest row: two racers cannot both pass it.
const RESERVE_NEW_SQL = `
INSERT INTO x402_deferred_channels AS c
  (channel_id, network, escrow, asset, payer, receiver, config, charged, claimed,
   pending_id, pending_amount, pending_signature, pending_expires_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 0, 0, $8, $9::numeric, $10, $11, $12, $12)
ON CONFLICT (channel_id) DO UPDATE SET
  pending_id = EXCLUDED.pending_id, pending_amount = EXCLUDED.pending_amount,
  pending_signature = EXCLUDED.pending_signature,
  pending_expires_at = EXCLUDED.pending_expires_at, updated_at = EXCLUDED.updated_at
WHERE c.charged = $13::numeric AND (c.pending_id IS NULL OR c.pending_expires_at <= $12)
RETURNING ${STATE_COLUMNS}`;

// A channel charged before exists already: a reservation never creates it at a non-zero charge.
const RESERVE_EXISTING_SQL = `
UPDATE x402_deferred_channels SET
  pending_id = $2, pending_amount = $3::numeric, pending_signature = $4,
  pending_expires_at = $5, updated_at = $6
WHERE channel_id = $1 AND charged = $7::numeric
  AND (pending_id IS NULL OR pending_expires_at <= $6)
RETURNING ${STATE_COLUMNS}`;

// SET expressions read the row as it was: charged takes the pending amount, which is then cleared.
const COMMIT_SQL = `
UPDATE x402_deferred_channels SET
  charged = pending_amount, charged_signature = pending_signature,
  commitment_id = pending_id, committed_at = $2,
  pending_id = NULL, pending_amount = NULL, pending_signature = NULL, pending_expires_at = NULL,
  updated_at = $2
WHERE pending_id = $1
RETURNING ${STATE_COLUMNS}`;

const RELEASE_SQL = `
UPDATE x402_deferred_channels SET
  pending_id = NULL, pending_amount = NULL, pending_signature = NULL, pending_expires_at = NULL,
  updated_at = $2
WHERE pending_id = $1`;

const GET_SQL = `SELECT ${CHANNEL_COLUMNS} FROM x402_deferred_channels WHERE channel_id = $1`;
const GET_STATE_SQL = `SELECT ${STATE_COLUMNS} FROM x402_deferred_channels WHERE channel_id = $1`;
const BY_COMMITMENT_SQL = `SELECT ${STATE_COLUMNS} FROM x402_deferred_channels WHERE commitment_id = $1`;
const IDENTITY_SQL = `SELECT ${IDENTITY_COLUMNS} FROM x402_deferred_channels WHERE channel_id = $1`;

// Served by the (network, lower(payer)) index of migration 5.
const PAYER_CHANNELS_SQL = `
SELECT ${CHANNEL_COLUMNS} FROM x402_deferred_channels
WHERE network = $1 AND lower(payer) = $2 AND ($3::text IS NULL OR lower(receiver) = $3)
ORDER BY created_at, channel_id`;

const REDEEMABLE_SQL = `
SELECT ${CHANNEL_COLUMNS} FROM x402_deferred_channels
WHERE charged > claimed AND charged - claimed >= $1::numeric
  AND ($2::text IS NULL OR network = $2) AND ($3::text IS NULL OR lower(escrow) = $3)
ORDER BY updated_at, channel_id
LIMIT $4`;

// Monotonic: a lower figure (an older observation) changes nothing.
const RECORD_CLAIM_SQL = `
UPDATE x402_deferred_channels SET claimed = $2::numeric, updated_at = $3
WHERE channel_id = $1 AND claimed < $2::numeric
RETURNING ${STATE_COLUMNS}`;

const SAVE_REDEMPTION_SQL = `
INSERT INTO x402_deferred_redemptions (${REDEMPTION_COLUMNS})
VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (id) DO NOTHING`;

const PENDING_REDEMPTIONS_SQL = `
SELECT ${REDEMPTION_COLUMNS} FROM x402_deferred_redemptions
WHERE state = 'pending' ORDER BY created_at, id`;

const FINISH_REDEMPTION_SQL = `
UPDATE x402_deferred_redemptions SET state = $2, updated_at = $3
WHERE id = $1 AND state = 'pending'
RETURNING ${REDEMPTION_COLUMNS}`;

const GET_REDEMPTION_SQL = `SELECT ${REDEMPTION_COLUMNS} FROM x402_deferred_redemptions WHERE id = $1`;

/**
 * How many times a refused reservation re-reads to name its reason. A retry happens only when the
 * row read afterwards would have accepted it (another writer freed the slot in between).
 */
const RESERVE_ROUNDS = 4;

/**
 * Identities kept in process (the oldest dropped first when full). They are written once, never
 * updated, so a cached one is never stale, and the writes on the request path return only the
 * columns that change: returning the whole row (the jsonb config above all) halves PGlite's rate.
 */
const IDENTITY_CACHE_SIZE = 10_000;

export function createSqlDeferredLedger(db: SqlQueryable): DeferredLedger {
  const identities = new Map<string, ChannelIdentity>();

  function remember(identity: ChannelIdentity): ChannelIdentity {
    if (identities.size >= IDENTITY_CACHE_SIZE) {
      const oldest = identities.keys().next().value;
      if (oldest !== undefined) identities.delete(oldest);
    }
    identities.set(identity.channelId, identity);
    return identity;
  }

  async function identityOf(channelId: string): Promise<ChannelIdentity | undefined> {
    const cached = identities.get(channelId);
    if (cached) return cached;
    const [row] = await db.query<IdentityRow>(IDENTITY_SQL, [channelId]);
    return row ? remember(toIdentity(row)) : undefined;
  }

  /** The channel of a state row just returned by a write (its row exists, so its identity too). */
  async function channelOf(row: StateRow): Promise<DeferredChannel> {
    const identity = await identityOf(row.channel_id);
    if (!identity) throw new Error(`deferred channel ${row.channel_id} vanished`);
    return toChannel(identity, row);
  }

  async function read(channelId: string): Promise<DeferredChannel | undefined> {
    const id = key(channelId);
    const known = identities.get(id);
    if (known) {
      const [state] = await db.query<StateRow>(GET_STATE_SQL, [id]);
      return state ? toChannel(known, state) : undefined;
    }
    const [row] = await db.query<ChannelRow>(GET_SQL, [id]);
    return row ? toChannel(remember(toIdentity(row)), row) : undefined;
  }

  function reserveParams(input: ReserveInput, identity: ChannelIdentity): SqlParam[] {
    return [
      key(identity.channelId),
      identity.network,
      identity.escrow,
      identity.asset,
      identity.payer,
      identity.receiver,
      JSON.stringify(identity.config),
      input.pendingId,
      amount(input.voucher.maxClaimableAmount),
      input.voucher.signature,
      time(input.expiresAt),
      time(input.now),
      amount(input.expectedCharged),
    ];
  }

  async function tryReserve(input: ReserveInput): Promise<DeferredChannel | undefined> {
    if (input.expectedCharged === 0n) {
      const [row] = await db.query<StateRow>(RESERVE_NEW_SQL, reserveParams(input, input.channel));
      return row ? channelOf(row) : undefined;
    }
    const [row] = await db.query<StateRow>(RESERVE_EXISTING_SQL, [
      key(input.channel.channelId),
      input.pendingId,
      amount(input.voucher.maxClaimableAmount),
      input.voucher.signature,
      time(input.expiresAt),
      time(input.now),
      amount(input.expectedCharged),
    ]);
    return row ? channelOf(row) : undefined;
  }

  return {
    get: read,

    async reserve(input: ReserveInput): Promise<ReserveResult> {
      for (let round = 0; round < RESERVE_ROUNDS; round++) {
        const reserved = await tryReserve(input);
        if (reserved) return { reserved: true, channel: reserved };
        const current = await read(input.channel.channelId);
        if (current?.pending?.id === input.pendingId) return { reserved: true, channel: current };
        if ((current?.charged ?? 0n) !== input.expectedCharged) {
          return { reserved: false, reason: 'charged_mismatch', channel: current };
        }
        if (current?.pending && current.pending.expiresAt > input.now) {
          return { reserved: false, reason: 'busy', channel: current };
        }
      }
      return { reserved: false, reason: 'busy', channel: await read(input.channel.channelId) };
    },

    async commit(pendingId: string, now: number): Promise<CommitResult> {
      // Of concurrent commits, the row lock lets one UPDATE match; the others re-check the WHERE
      // on the committed row, match nothing and find the commitment below.
      const [row] = await db.query<StateRow>(COMMIT_SQL, [pendingId, time(now)]);
      if (row) return { committed: true, channel: await channelOf(row), alreadyCommitted: false };
      // Committed before under this id (a retried commit): idempotent, and said so.
      const [earlier] = await db.query<StateRow>(BY_COMMITMENT_SQL, [pendingId]);
      return earlier
        ? { committed: true, channel: await channelOf(earlier), alreadyCommitted: true }
        : { committed: false, channel: undefined };
    },

    async release(pendingId: string, now: number): Promise<void> {
      await db.query(RELEASE_SQL, [pendingId, time(now)]);
    },

    async redeemable(query) {
      const rows = await db.query<ChannelRow>(REDEEMABLE_SQL, [
        amount(query.minUnclaimed ?? 1n),
        query.network ?? null,
        query.escrow?.toLowerCase() ?? null,
        Math.max(0, Math.floor(query.limit)),
      ]);
      return rows.map((row) => {
        const identity = identities.get(row.channel_id) ?? remember(toIdentity(row));
        return toChannel(identity, row);
      });
    },

    async payerChannels(query) {
      const rows = await db.query<ChannelRow>(PAYER_CHANNELS_SQL, [
        query.network,
        query.payer.toLowerCase(),
        query.receiver?.toLowerCase() ?? null,
      ]);
      return rows.map((row) => {
        const identity = identities.get(row.channel_id) ?? remember(toIdentity(row));
        return toChannel(identity, row);
      });
    },

    async recordClaim(channelId, totalClaimed, now) {
      const [row] = await db.query<StateRow>(RECORD_CLAIM_SQL, [
        key(channelId),
        amount(totalClaimed),
        time(now),
      ]);
      return row ? channelOf(row) : read(channelId);
    },

    async saveRedemption(record) {
      const vouchers: StoredRedemptionVoucher[] = record.vouchers.map((v) => ({
        channelId: v.channelId,
        maxClaimableAmount: amount(v.maxClaimableAmount),
        signature: v.signature,
      }));
      await db.query(SAVE_REDEMPTION_SQL, [
        record.id,
        record.network,
        record.escrow,
        JSON.stringify(vouchers),
        record.transaction,
        record.rawTransaction,
        record.sender,
        record.nonce,
        record.state,
        time(record.createdAt),
        time(record.updatedAt),
      ]);
    },

    async pendingRedemptions() {
      return (await db.query<RedemptionRow>(PENDING_REDEMPTIONS_SQL)).map(toRedemption);
    },

    async finishRedemption(id, state, now) {
      const [row] = await db.query<RedemptionRow>(FINISH_REDEMPTION_SQL, [id, state, time(now)]);
      if (row) return toRedemption(row);
      const [current] = await db.query<RedemptionRow>(GET_REDEMPTION_SQL, [id]);
      return current ? toRedemption(current) : undefined;
    },
  };
}
