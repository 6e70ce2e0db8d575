/**
 * @x402-rails/deferred/redeem — the redemption job: the latest charged voucher of every redeemable
 * channel, claimed from the escrow in one batch transaction, journaled before it is sent.
 */

export {
  type CreditBuyerReport,
  type CreditChannelReport,
  type CreditOutcome,
  type CreditRedemptionReport,
  type RedeemCreditOptions,
  redeemCredit,
} from './credit/redeem.js';
export * from './redeem/index.js';
