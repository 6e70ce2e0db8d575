/**
 * @x402-rails/deferred/credit-redeem — redemption of the credit-backed path by card: one
 * off-session charge per buyer per ended period, journaled before Stripe is called. Its own subpath
 * because it needs the optional peer dependencies `@x402-rails/stripe` and `stripe`, which the
 * on-chain path never loads.
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
