// INTERFACE FROZEN — from here on, change only by adding optional members.
/**
 * The channel ledger of the deferred rail: where the server keeps, per channel, what it has
 * charged (the latest accepted cumulative voucher, the evidence redemption collects on), at most
 * one in-flight (pending) voucher, and what redemption has collected. Every write is a
 * compare-and-swap, so two requests on one channel never both charge, and a crash between
 * "pending" and "charged" loses nothing (the pending voucher is still signed evidence).
 *
 * This is the one definition: `@x402-rails/deferred` re-exports it (`./ledger`), the memory driver
 * beside it and the SQL driver (`src/sql/deferred.ts`) implement it, and the contract suite
 * (`@x402-rails/store/deferred-ledger-contract`) holds them to it.
 *
 * Amounts are bigints (atomic units, ≤ uint128); times are epoch milliseconds passed in by the
 * caller (drivers never read their own clock, so tests and replicas agree on "now").
 */
export type Hex = `0x${string}`;

/** A signed cumulative voucher as the ledger stores it. */
export interface StoredVoucher {
  maxClaimableAmount: bigint;
  signature: Hex;
}

/** The voucher that set `charged`, with the id of the reservation that committed it. */
export interface ChargedVoucher extends StoredVoucher {
  /** The pending id it was reserved under: the commitment id returned by settle. */
  commitmentId: string;
  committedAt: number;
}

/** A voucher reserved for a request in flight (stored before the handler runs). */
export interface PendingVoucher extends StoredVoucher {
  id: string;
  /** After this instant the reservation no longer blocks the channel (epoch ms). */
  expiresAt: number;
}

/**
 * A channel's terms, opaque to the ledger and stored as JSON: on chain, the escrow's EIP-712
 * channel config (the rail parses it back with its own schema to claim); on the credit path, the
 * billing terms the voucher domain binds.
 */
export type DeferredChannelTerms = { readonly [field: string]: string | number };

/** What identifies a channel and its terms; fixed when the channel is first seen. */
export interface ChannelIdentity {
  /** The channel id (0x + 64 hex, lower case). */
  channelId: Hex;
  /** CAIP-2 network: `eip155:<chainId>`, or the credit ledger's network. */
  network: string;
  /** The escrow contract the channel id is bound to (the credit path: the ledger's verifying address). */
  escrow: Hex;
  /** What is owed: a token address on chain, a currency code (such as `usd`) on the credit path. */
  asset: string;
  payer: Hex;
  receiver: Hex;
  /** The full terms, as given at the first reservation (on chain: what a claim sends). */
  config: DeferredChannelTerms;
}

export interface DeferredChannel extends ChannelIdentity {
  /** The cumulative amount of the latest charged voucher (0n before the first). */
  charged: bigint;
  /** What redemption has collected on chain (the escrow's totalClaimed as last observed). */
  claimed: bigint;
  /** The latest charged voucher, absent until the first commit. */
  chargedVoucher?: ChargedVoucher;
  /** At most one reserved voucher; may be expired (then it blocks nothing). */
  pending?: PendingVoucher;
  createdAt: number;
  updatedAt: number;
}

export interface ReserveInput {
  channel: ChannelIdentity;
  /** The `charged` the verifier saw; the reservation fails if the ledger's differs. */
  expectedCharged: bigint;
  /** The voucher for `expectedCharged + price`. */
  voucher: StoredVoucher;
  /** Unique per attempt (two racing requests must not share it). */
  pendingId: string;
  expiresAt: number;
  /** The caller's clock (epoch ms), to decide whether an existing pending has expired. */
  now: number;
}

export type ReserveResult =
  /** Stored as pending (or it already was, under the same pendingId: idempotent). */
  | { reserved: true; channel: DeferredChannel }
  /**
   * Not stored: `charged !== expectedCharged`, or an unexpired pending exists. `channel` is the
   * current record (undefined when the channel is unknown, i.e. charged is 0n) for the corrective
   * 402.
   */
  | { reserved: false; reason: 'charged_mismatch' | 'busy'; channel: DeferredChannel | undefined };

export type CommitResult =
  /** pending → charged done now, or earlier under the same id (idempotent). */
  | {
      committed: true;
      channel: DeferredChannel;
      /**
       * (Added after the freeze, optional in the type; the contract suite expects it.) True when an
       * earlier call made the commit and this one changed nothing: of concurrent settles of one
       * voucher, only the call that committed reports success.
       */
      alreadyCommitted?: boolean;
    }
  /** No pending or latest charged voucher has this id (released, or replaced after expiry). */
  | { committed: false; channel: DeferredChannel | undefined };

/** Every channel of one payer on one network (and, when given, to one receiver). */
export interface PayerChannelsQuery {
  network: string;
  payer: Hex;
  receiver?: Hex;
}

export interface RedeemableQuery {
  network?: string;
  escrow?: Hex;
  /** Only channels whose `charged - claimed` is at least this (default 1n). */
  minUnclaimed?: bigint;
  limit: number;
}

/** One voucher in a redemption batch. */
export interface RedemptionVoucher extends StoredVoucher {
  channelId: Hex;
}

export type RedemptionState = 'pending' | 'confirmed' | 'dropped';

/**
 * The journal row written BEFORE a claim transaction is broadcast: the transaction is signed
 * first, so its hash and raw bytes are known and a restarted job can look it up or re-broadcast
 * the very same transaction (same nonce) instead of sending a second one.
 */
export interface RedemptionRecord {
  id: string;
  network: string;
  escrow: Hex;
  vouchers: RedemptionVoucher[];
  /** The signed transaction's hash and its raw bytes. */
  transaction: Hex;
  rawTransaction: Hex;
  /** Sender and nonce of the transaction (a nonce used by another transaction = dropped). */
  sender: Hex;
  nonce: number;
  state: RedemptionState;
  createdAt: number;
  updatedAt: number;
}

export interface DeferredLedger {
  get(channelId: Hex): Promise<DeferredChannel | undefined>;
  /**
   * Atomic compare-and-swap: stores `voucher` as the channel's pending voucher only if
   * `charged === expectedCharged` and there is no unexpired pending (an expired one is replaced).
   * Creates the channel (charged 0n, claimed 0n) on its first reservation; a failed reservation
   * changes nothing.
   */
  reserve(input: ReserveInput): Promise<ReserveResult>;
  /** Pending → charged (`charged = voucher amount`, pending cleared). Idempotent. */
  commit(pendingId: string, now: number): Promise<CommitResult>;
  /** Drops the pending voucher with this id, if it is still there. Idempotent. */
  release(pendingId: string, now: number): Promise<void>;
  /** Channels with `charged > claimed` (and the filters), oldest update first. */
  redeemable(query: RedeemableQuery): Promise<DeferredChannel[]>;
  /**
   * Raises `claimed` to `totalClaimed` (the escrow's figure); never lowers it (monotonic, so
   * replaying a confirmed claim is harmless). Returns the channel, undefined if unknown.
   */
  recordClaim(
    channelId: Hex,
    totalClaimed: bigint,
    now: number,
  ): Promise<DeferredChannel | undefined>;
  /**
   * (Added after the freeze; optional in the type, every driver of this package has it.) The
   * channels of one payer on one network (and receiver), oldest first: a credit limit is checked
   * against the sum of `charged - claimed` across them. Addresses compare case-insensitively.
   */
  payerChannels?(query: PayerChannelsQuery): Promise<DeferredChannel[]>;
  /** Inserts a redemption journal row; a second insert with the same id changes nothing. */
  saveRedemption(record: RedemptionRecord): Promise<void>;
  /** Journal rows still `pending`, oldest first. */
  pendingRedemptions(): Promise<RedemptionRecord[]>;
  /** pending → confirmed | dropped. Idempotent; a finished row is not changed again. */
  finishRedemption(
    id: string,
    state: 'confirmed' | 'dropped',
    now: number,
  ): Promise<RedemptionRecord | undefined>;
}
