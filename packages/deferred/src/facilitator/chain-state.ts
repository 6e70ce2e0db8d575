/**
 * What the escrow holds for a channel (balance, claimed, a pending withdrawal), read with
 * `channels()` and `pendingWithdrawals()` and cached per channel. A cached entry is used while
 * fresh; it is re-read when stale, sooner when a withdrawal is pending, and on demand (a voucher
 * above the cached balance may follow a top-up).
 */
import type { PublicClient } from 'viem';
import { escrowAbi } from '../escrow-abi.js';
import type { Hex } from '../ledger/types.js';

export interface EscrowChannelState {
  balance: bigint;
  totalClaimed: bigint;
  /** Amount of a pending withdrawal (0n when none). */
  withdrawAmount: bigint;
  /** When the pending withdrawal was initiated, unix seconds (0 when none). */
  withdrawInitiatedAt: number;
  /** When this state was read (epoch ms). */
  readAt: number;
}

export type EscrowReader = Pick<PublicClient, 'readContract'>;

export interface ChainStateCacheOptions {
  client: EscrowReader;
  escrow: Hex;
  /** How long a read stays fresh (default 5 s). */
  ttlMs?: number;
  /** How long a read stays fresh while a withdrawal is pending (default 1 s). */
  withdrawingTtlMs?: number;
  /** Most channels kept (oldest dropped first; default 10 000). */
  maxEntries?: number;
  now?: () => number;
}

export interface ChainStateCache {
  get(channelId: Hex, options?: { fresh?: boolean }): Promise<EscrowChannelState>;
  /** Forgets a channel (after a claim or a withdrawal event). */
  invalidate(channelId: Hex): void;
}

export function createChainStateCache(options: ChainStateCacheOptions): ChainStateCache {
  const ttl = options.ttlMs ?? 5_000;
  const withdrawingTtl = options.withdrawingTtlMs ?? 1_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, EscrowChannelState>();
  const inflight = new Map<string, Promise<EscrowChannelState>>();

  async function read(channelId: Hex): Promise<EscrowChannelState> {
    const [channel, withdrawal] = await Promise.all([
      options.client.readContract({
        address: options.escrow,
        abi: escrowAbi,
        functionName: 'channels',
        args: [channelId],
      }),
      options.client.readContract({
        address: options.escrow,
        abi: escrowAbi,
        functionName: 'pendingWithdrawals',
        args: [channelId],
      }),
    ]);
    const [balance, totalClaimed] = channel;
    const [withdrawAmount, initiatedAt] = withdrawal;
    return {
      balance,
      totalClaimed,
      withdrawAmount,
      withdrawInitiatedAt: Number(initiatedAt),
      readAt: now(),
    };
  }

  function isFresh(state: EscrowChannelState): boolean {
    const age = now() - state.readAt;
    return age < (state.withdrawInitiatedAt > 0 ? withdrawingTtl : ttl);
  }

  return {
    async get(channelId, { fresh = false } = {}) {
      const key = channelId.toLowerCase();
      const cached = entries.get(key);
      if (cached && !fresh && isFresh(cached)) return cached;
      // One read per channel at a time: concurrent verifies share it.
      let pending = inflight.get(key);
      if (!pending) {
        pending = read(channelId).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      const state = await pending;
      entries.delete(key);
      entries.set(key, state);
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      return state;
    },
    invalidate(channelId) {
      entries.delete(channelId.toLowerCase());
    },
  };
}
