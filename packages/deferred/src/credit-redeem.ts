/**
 * @x402-rails/deferred/credit-redeem — redemption of the credit-backed path by card: one
 * off-session charge per buyer per ended period, journaled before Stripe is called. Its own subpath
 * so that the on-chain path never loads the Stripe SDK.
 */

export { runCreditRedeemCli } from './credit/cli.js';
export {
  type CreditBuyerReport,
  type CreditChannelReport,
  type CreditOutcome,
  type CreditRedemptionReport,
  type RedeemCreditOptions,
  redeemCredit,
} from './credit/redeem.js';
