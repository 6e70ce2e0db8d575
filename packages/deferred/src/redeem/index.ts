export {
  type ClaimedEvent,
  claimedEvents,
  type RedeemChainClient,
  type RedeemSigner,
  withdrawalsInitiated,
} from './chain.js';
export { type RedeemCliIo, runRedeemCli } from './cli.js';
export { type RedeemConfig, redeemConfigSchema } from './config.js';
export {
  type BatchOutcome,
  type ChannelCollection,
  type RedeemOptions,
  type RedeemReport,
  redeem,
  type UnpayableChannel,
} from './redeem.js';
