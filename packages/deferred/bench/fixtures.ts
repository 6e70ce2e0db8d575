/**
 * What the deferred bench feeds every contender: channels with their payer keys, and their
 * cumulative vouchers signed ahead of time (natively, so signing stays out of the timings), as
 * x402 v2 payment payloads for one set of requirements.
 */
import { randomBytes } from 'node:crypto';
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import { signHashNative } from '@x402-rails/evm/crypto';
import { privateKeyToAddress } from 'viem/accounts';
import { OFFICIAL_BATCH_SETTLEMENT_ADDRESS } from '../src/constants.js';
import { channelIdOf, type EscrowDomain, voucherDigest } from '../src/eip712.js';
import type { ChannelConfig } from '../src/payload.js';

/** Base and the official escrow address: the only domain the official server accepts. */
export const NETWORK = 'eip155:8453' as const;
export const DOMAIN: EscrowDomain = { chainId: 8453, escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS };
export const USDC = {
  address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  name: 'USD Coin',
  version: '2',
  decimals: 6,
} as const;
export const MERCHANT = '0x209693Bc6afc0C5328bA36FaF03C514EF312287C' as const;
/** 0.001 USDC per request. */
export const PRICE = 1000n;

const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString('hex')}` as `0x${string}`;

export interface BenchChannel {
  config: ChannelConfig;
  channelId: `0x${string}`;
  /** Payloads for requests 1..n: the k-th carries the cumulative k × price. */
  payloads: PaymentPayload[];
}

/** The requirements the deferred server states for the bench route (what `accepted` carries). */
export function benchRequirements(): PaymentRequirements {
  return {
    scheme: 'batch-settlement',
    network: NETWORK,
    amount: PRICE.toString(),
    asset: USDC.address,
    payTo: MERCHANT,
    maxTimeoutSeconds: 60,
    extra: {
      receiverAuthorizer: MERCHANT,
      withdrawDelay: 86_400,
      name: USDC.name,
      version: USDC.version,
      assetTransferMethod: 'eip3009',
    },
  };
}

function signedVoucher(key: Uint8Array, channelId: `0x${string}`, cumulative: bigint) {
  const signed = signHashNative(voucherDigest(channelId, cumulative, DOMAIN), key);
  if (!signed)
    throw new Error('the bench signs with the native secp256k1 binding, which is missing');
  const v = (27 + signed.yParity).toString(16);
  return {
    channelId,
    maxClaimableAmount: cumulative.toString(),
    signature: `${hex(signed.r)}${hex(signed.s).slice(2)}${v}` as `0x${string}`,
  };
}

/** `count` new channels (fresh payers and salts), each with `requests` vouchers in order. */
export function makeChannels(
  count: number,
  requests: number,
  requirements: PaymentRequirements,
): BenchChannel[] {
  const extra = requirements.extra as { receiverAuthorizer: `0x${string}`; withdrawDelay: number };
  return Array.from({ length: count }, () => {
    const key = randomBytes(32);
    const payer = privateKeyToAddress(hex(key));
    const config: ChannelConfig = {
      payer,
      payerAuthorizer: payer,
      receiver: requirements.payTo as `0x${string}`,
      receiverAuthorizer: extra.receiverAuthorizer,
      token: requirements.asset as `0x${string}`,
      withdrawDelay: extra.withdrawDelay,
      salt: hex(randomBytes(32)),
    };
    const channelId = channelIdOf(config, DOMAIN);
    const payloads = Array.from({ length: requests }, (_, k) => ({
      x402Version: 2 as const,
      accepted: requirements,
      payload: {
        type: 'voucher',
        channelConfig: config,
        voucher: signedVoucher(key, channelId, BigInt(k + 1) * PRICE),
      },
    }));
    return { config, channelId, payloads };
  });
}

/** Vouchers per second of wall time, and per second of this process's CPU time. */
export interface Rate {
  wall: number;
  cpu: number;
}

/**
 * Runs every channel's payloads in order through `pay`, `concurrency` channels at a time (one
 * request per channel at a time, as the scheme requires). The CPU rate is the one to compare on a
 * shared machine: PGlite runs in this thread, so other processes' load inflates wall time only.
 */
export async function throughput(
  channels: readonly BenchChannel[],
  concurrency: number,
  pay: (payload: PaymentPayload) => Promise<void>,
): Promise<Rate> {
  let next = 0;
  let done = 0;
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  async function lane() {
    for (let i = next++; i < channels.length; i = next++) {
      for (const payload of (channels[i] as BenchChannel).payloads) {
        await pay(payload);
        done++;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, channels.length) }, lane));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  return { wall: (done * 1000) / wallMs, cpu: (done * 1e6) / (cpu.user + cpu.system) };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
