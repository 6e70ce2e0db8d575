/**
 * The ledger keeps a channel's terms opaque (JSON); an on-chain channel's are the escrow's channel
 * config, parsed back here before anything is sent to the chain. A row that does not parse (a
 * credit-backed channel, or a damaged row) is refused by name, never sent half-read.
 */
import { X402Error } from '@x402-rails/core';
import { type ChannelConfig, channelConfigSchema } from '../payload.js';
import type { DeferredChannel } from './types.js';

/** The reason of a ledger row whose terms are not an escrow channel config (ours). */
export const UNREADABLE_CHANNEL_CONFIG = 'invalid_batch_settlement_evm_channel_config_unreadable';

/** The escrow channel config of an on-chain channel, or an `X402Error` naming the channel. */
export function evmChannelConfig(
  channel: Pick<DeferredChannel, 'channelId' | 'config'>,
): ChannelConfig {
  const parsed = channelConfigSchema.safeParse(channel.config);
  if (parsed.success) return parsed.data;
  throw new X402Error(UNREADABLE_CHANNEL_CONFIG, {
    message: `The ledger's terms of channel ${channel.channelId} are not an escrow channel config`,
    details: {
      channelId: channel.channelId,
      issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    },
  });
}
