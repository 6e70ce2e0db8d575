/**
 * The deferred rail's channel ledger, as the store implements it: a structural copy of
 * `DeferredLedger` from `@x402-rails/deferred/ledger` (frozen there; it only gains optional
 * members). The store does not import the rail, so installing the store never pulls in viem or the
 * rail; `test/deferred-ledger.test.ts` checks at compile time that the two stay assignable both
 * ways, and runs the rail's own contract suite against PGlite and Postgres.
 *
 * Amounts are bigints (atomic token units, at most uint128), stored exactly as numeric(78, 0);
 * times are epoch milliseconds passed in by the caller.
 */
export type Hex = `0x${string}`;

/** The channel's terms as the escrow hashes them (`ChannelConfig` of the batch-settlement binding). */
export interface DeferredChannelConfig {
  payer: Hex;
  payerAuthorizer: Hex;
  receiver: Hex;
  receiverAuthorizer: Hex;
  token: Hex;
  withdrawDelay: number;
  salt: Hex;
}

export interface StoredVoucher {
  maxClaimableAmount: bigint;
  signature: Hex;
}

export interface ChargedVoucher extends StoredVoucher {
  commitmentId: string;
  committedAt: number;
}

export interface PendingVoucher extends StoredVoucher {
  id: string;
  expiresAt: number;
}

export interface ChannelIdentity {
  channelId: Hex;
  network: string;
  escrow: Hex;
  asset: Hex;
  payer: Hex;
  receiver: Hex;
  config: DeferredChannelConfig;
}

export interface DeferredChannel extends ChannelIdentity {
  charged: bigint;
  claimed: bigint;
  chargedVoucher?: ChargedVoucher;
  pending?: PendingVoucher;
  createdAt: number;
  updatedAt: number;
}

export interface ReserveInput {
  channel: ChannelIdentity;
  expectedCharged: bigint;
  voucher: StoredVoucher;
  pendingId: string;
  expiresAt: number;
  now: number;
}

export type ReserveResult =
  | { reserved: true; channel: DeferredChannel }
  | { reserved: false; reason: 'charged_mismatch' | 'busy'; channel: DeferredChannel | undefined };

export type CommitResult =
  | {
      committed: true;
      channel: DeferredChannel;
      /** True when an earlier call made the commit and this one changed nothing. */
      alreadyCommitted?: boolean;
    }
  | { committed: false; channel: DeferredChannel | undefined };

export interface RedeemableQuery {
  network?: string;
  escrow?: Hex;
  minUnclaimed?: bigint;
  limit: number;
}

export interface RedemptionVoucher extends StoredVoucher {
  channelId: Hex;
}

export type RedemptionState = 'pending' | 'confirmed' | 'dropped';

export interface RedemptionRecord {
  id: string;
  network: string;
  escrow: Hex;
  vouchers: RedemptionVoucher[];
  transaction: Hex;
  rawTransaction: Hex;
  sender: Hex;
  nonce: number;
  state: RedemptionState;
  createdAt: number;
  updatedAt: number;
}

/** See `DeferredLedger` in `@x402-rails/deferred/ledger` for each method's contract. */
export interface DeferredLedger {
  get(channelId: Hex): Promise<DeferredChannel | undefined>;
  reserve(input: ReserveInput): Promise<ReserveResult>;
  commit(pendingId: string, now: number): Promise<CommitResult>;
  release(pendingId: string, now: number): Promise<void>;
  redeemable(query: RedeemableQuery): Promise<DeferredChannel[]>;
  recordClaim(
    channelId: Hex,
    totalClaimed: bigint,
    now: number,
  ): Promise<DeferredChannel | undefined>;
  saveRedemption(record: RedemptionRecord): Promise<void>;
  pendingRedemptions(): Promise<RedemptionRecord[]>;
  finishRedemption(
    id: string,
    state: 'confirmed' | 'dropped',
    now: number,
  ): Promise<RedemptionRecord | undefined>;
}
