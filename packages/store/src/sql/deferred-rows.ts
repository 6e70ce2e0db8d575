/**
 * Rows of the deferred ledger's tables and their mapping to the ledger's records. Amounts come back
 * as decimal text (cast in the SELECT) and become bigints; bigint columns come back as strings from
 * `pg` and numbers from PGlite, so every time goes through `Number`; NULL columns become absent
 * fields.
 */
import type {
  ChannelIdentity,
  DeferredChannel,
  DeferredChannelTerms,
  Hex,
  RedemptionRecord,
  RedemptionVoucher,
} from '../deferred/types.js';

type Int = number | string | bigint;

/** The columns written once, at a channel's first reservation, and never updated. */
export interface IdentityRow {
  channel_id: string;
  network: string;
  escrow: string;
  asset: string;
  payer: string;
  receiver: string;
  config: DeferredChannelTerms | string;
}

/** The columns every write may change. */
export interface StateRow {
  channel_id: string;
  charged: string;
  claimed: string;
  charged_signature: string | null;
  commitment_id: string | null;
  committed_at: Int | null;
  pending_id: string | null;
  pending_amount: string | null;
  pending_signature: string | null;
  pending_expires_at: Int | null;
  created_at: Int;
  updated_at: Int;
}

export type ChannelRow = IdentityRow & StateRow;

export const IDENTITY_COLUMNS = 'channel_id, network, escrow, asset, payer, receiver, config';
export const STATE_COLUMNS = `channel_id, charged::text AS charged, claimed::text AS claimed,
  charged_signature, commitment_id, committed_at, pending_id,
  pending_amount::text AS pending_amount, pending_signature, pending_expires_at, created_at,
  updated_at`;
export const CHANNEL_COLUMNS = `${IDENTITY_COLUMNS}, ${STATE_COLUMNS}`;

export interface RedemptionRow {
  id: string;
  network: string;
  escrow: string;
  vouchers: StoredRedemptionVoucher[] | string;
  transaction_hash: string;
  raw_transaction: string;
  sender: string;
  nonce: Int;
  state: RedemptionRecord['state'];
  created_at: Int;
  updated_at: Int;
}

export interface StoredRedemptionVoucher {
  channelId: Hex;
  maxClaimableAmount: string;
  signature: Hex;
}

export const REDEMPTION_COLUMNS =
  'id, network, escrow, vouchers, transaction_hash, raw_transaction, sender, nonce, state, created_at, updated_at';

export const json = <T>(value: T | string): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

export function toIdentity(row: IdentityRow): ChannelIdentity {
  return {
    channelId: row.channel_id as Hex,
    network: row.network,
    escrow: row.escrow as Hex,
    asset: row.asset,
    payer: row.payer as Hex,
    receiver: row.receiver as Hex,
    config: json(row.config),
  };
}

export function toChannel(identity: ChannelIdentity, row: StateRow): DeferredChannel {
  const channel: DeferredChannel = {
    ...identity,
    config: { ...identity.config },
    charged: BigInt(row.charged),
    claimed: BigInt(row.claimed),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
  if (row.commitment_id !== null && row.charged_signature !== null) {
    channel.chargedVoucher = {
      maxClaimableAmount: channel.charged,
      signature: row.charged_signature as Hex,
      commitmentId: row.commitment_id,
      committedAt: Number(row.committed_at),
    };
  }
  if (row.pending_id !== null && row.pending_amount !== null) {
    channel.pending = {
      id: row.pending_id,
      maxClaimableAmount: BigInt(row.pending_amount),
      signature: row.pending_signature as Hex,
      expiresAt: Number(row.pending_expires_at),
    };
  }
  return channel;
}

export function toRedemption(row: RedemptionRow): RedemptionRecord {
  return {
    id: row.id,
    network: row.network,
    escrow: row.escrow as Hex,
    vouchers: json(row.vouchers).map(
      (v): RedemptionVoucher => ({ ...v, maxClaimableAmount: BigInt(v.maxClaimableAmount) }),
    ),
    transaction: row.transaction_hash as Hex,
    rawTransaction: row.raw_transaction as Hex,
    sender: row.sender as Hex,
    nonce: Number(row.nonce),
    state: row.state,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** A bigint amount as the decimal text the numeric columns take; anything else is refused. */
export function amount(value: bigint): string {
  if (typeof value !== 'bigint' || value < 0n) {
    throw new RangeError('a deferred ledger amount is a non-negative bigint');
  }
  return value.toString();
}

export function time(value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError('a time is an integer of epoch ms');
  return value;
}

export const key = (channelId: string) => channelId.toLowerCase();
