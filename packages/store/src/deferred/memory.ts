/**
 * The in-process channel ledger: a Map per table. JavaScript runs one callback at a time and no
 * method awaits between its read and its write, so every method is atomic as the interface asks.
 * Records are copied in and out, so a caller holding one cannot change the ledger behind its back.
 */
import type {
  ChannelIdentity,
  CommitResult,
  DeferredChannel,
  DeferredLedger,
  Hex,
  PayerChannelsQuery,
  RedeemableQuery,
  RedemptionRecord,
  ReserveInput,
  ReserveResult,
} from './types.js';

function copyChannel(channel: DeferredChannel): DeferredChannel {
  const copy: DeferredChannel = { ...channel, config: { ...channel.config } };
  if (channel.chargedVoucher) copy.chargedVoucher = { ...channel.chargedVoucher };
  if (channel.pending) copy.pending = { ...channel.pending };
  return copy;
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function copyRedemption(record: RedemptionRecord): RedemptionRecord {
  return { ...record, vouchers: record.vouchers.map((v) => ({ ...v })) };
}

function freshChannel(identity: ChannelIdentity, now: number): DeferredChannel {
  return {
    channelId: identity.channelId,
    network: identity.network,
    escrow: identity.escrow,
    asset: identity.asset,
    payer: identity.payer,
    receiver: identity.receiver,
    config: { ...identity.config },
    charged: 0n,
    claimed: 0n,
    createdAt: now,
    updatedAt: now,
  };
}

export class MemoryDeferredLedger implements DeferredLedger {
  readonly #channels = new Map<string, DeferredChannel>();
  /** pending id → channel id, for the pending and the latest committed voucher of each channel. */
  readonly #byPendingId = new Map<string, string>();
  readonly #redemptions = new Map<string, RedemptionRecord>();

  async get(channelId: Hex): Promise<DeferredChannel | undefined> {
    const channel = this.#channels.get(channelId.toLowerCase());
    return channel ? copyChannel(channel) : undefined;
  }

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    const key = input.channel.channelId.toLowerCase();
    const existing = this.#channels.get(key);
    if (existing?.pending?.id === input.pendingId) {
      return { reserved: true, channel: copyChannel(existing) };
    }
    const charged = existing?.charged ?? 0n;
    if (charged !== input.expectedCharged) {
      return {
        reserved: false,
        reason: 'charged_mismatch',
        channel: existing ? copyChannel(existing) : undefined,
      };
    }
    if (existing?.pending && existing.pending.expiresAt > input.now) {
      return { reserved: false, reason: 'busy', channel: copyChannel(existing) };
    }
    const channel = existing ?? freshChannel(input.channel, input.now);
    if (channel.pending) this.#byPendingId.delete(channel.pending.id);
    channel.pending = {
      id: input.pendingId,
      maxClaimableAmount: input.voucher.maxClaimableAmount,
      signature: input.voucher.signature,
      expiresAt: input.expiresAt,
    };
    channel.updatedAt = input.now;
    this.#channels.set(key, channel);
    this.#byPendingId.set(input.pendingId, key);
    return { reserved: true, channel: copyChannel(channel) };
  }

  async commit(pendingId: string, now: number): Promise<CommitResult> {
    const key = this.#byPendingId.get(pendingId);
    const channel = key === undefined ? undefined : this.#channels.get(key);
    if (!channel) return { committed: false, channel: undefined };
    if (channel.chargedVoucher?.commitmentId === pendingId) {
      return { committed: true, channel: copyChannel(channel), alreadyCommitted: true };
    }
    const pending = channel.pending;
    if (pending?.id !== pendingId) return { committed: false, channel: copyChannel(channel) };
    if (channel.chargedVoucher) this.#byPendingId.delete(channel.chargedVoucher.commitmentId);
    channel.charged = pending.maxClaimableAmount;
    channel.chargedVoucher = {
      maxClaimableAmount: pending.maxClaimableAmount,
      signature: pending.signature,
      commitmentId: pending.id,
      committedAt: now,
    };
    delete channel.pending;
    channel.updatedAt = now;
    return { committed: true, channel: copyChannel(channel), alreadyCommitted: false };
  }

  async release(pendingId: string, now: number): Promise<void> {
    const key = this.#byPendingId.get(pendingId);
    const channel = key === undefined ? undefined : this.#channels.get(key);
    if (channel?.pending?.id !== pendingId) return;
    delete channel.pending;
    channel.updatedAt = now;
    this.#byPendingId.delete(pendingId);
  }

  async redeemable(query: RedeemableQuery): Promise<DeferredChannel[]> {
    const minUnclaimed = query.minUnclaimed ?? 1n;
    const escrow = query.escrow?.toLowerCase();
    return [...this.#channels.values()]
      .filter(
        (c) =>
          c.charged > c.claimed &&
          c.charged - c.claimed >= minUnclaimed &&
          (query.network === undefined || c.network === query.network) &&
          (escrow === undefined || c.escrow.toLowerCase() === escrow),
      )
      .sort((a, b) => a.updatedAt - b.updatedAt)
      .slice(0, Math.max(0, query.limit))
      .map(copyChannel);
  }

  async payerChannels(query: PayerChannelsQuery): Promise<DeferredChannel[]> {
    const payer = query.payer.toLowerCase();
    const receiver = query.receiver?.toLowerCase();
    return [...this.#channels.values()]
      .filter(
        (c) =>
          c.network === query.network &&
          c.payer.toLowerCase() === payer &&
          (receiver === undefined || c.receiver.toLowerCase() === receiver),
      )
      .sort((a, b) => a.createdAt - b.createdAt || compareIds(a.channelId, b.channelId))
      .map(copyChannel);
  }

  async recordClaim(
    channelId: Hex,
    totalClaimed: bigint,
    now: number,
  ): Promise<DeferredChannel | undefined> {
    const channel = this.#channels.get(channelId.toLowerCase());
    if (!channel) return undefined;
    if (totalClaimed > channel.claimed) {
      channel.claimed = totalClaimed;
      channel.updatedAt = now;
    }
    return copyChannel(channel);
  }

  async saveRedemption(record: RedemptionRecord): Promise<void> {
    if (this.#redemptions.has(record.id)) return;
    this.#redemptions.set(record.id, copyRedemption(record));
  }

  async pendingRedemptions(): Promise<RedemptionRecord[]> {
    return [...this.#redemptions.values()]
      .filter((r) => r.state === 'pending')
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(copyRedemption);
  }

  async finishRedemption(
    id: string,
    state: 'confirmed' | 'dropped',
    now: number,
  ): Promise<RedemptionRecord | undefined> {
    const record = this.#redemptions.get(id);
    if (!record) return undefined;
    if (record.state === 'pending') {
      record.state = state;
      record.updatedAt = now;
    }
    return copyRedemption(record);
  }
}

/** A fresh in-memory channel ledger (tests, single-process servers, the bench). */
export function createMemoryDeferredLedger(): DeferredLedger {
  return new MemoryDeferredLedger();
}
