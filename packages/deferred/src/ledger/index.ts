/**
 * @x402-rails/deferred/ledger — the channel ledger the deferred rail stores vouchers in. Defined
 * once in `@x402-rails/store` (interface, memory driver, SQL drivers, contract suite) and
 * re-exported here; `evmChannelConfig` reads an on-chain channel's terms back.
 */
export { createMemoryDeferredLedger, MemoryDeferredLedger } from '@x402-rails/store';
export { evmChannelConfig, UNREADABLE_CHANNEL_CONFIG } from './evm-config.js';
export type {
  ChannelIdentity,
  ChargedVoucher,
  CommitResult,
  DeferredChannel,
  DeferredChannelTerms,
  DeferredLedger,
  Hex,
  PayerChannelsQuery,
  PendingVoucher,
  RedeemableQuery,
  RedemptionRecord,
  RedemptionState,
  RedemptionVoucher,
  ReserveInput,
  ReserveResult,
  StoredVoucher,
} from './types.js';
