/**
 * @x402-rails/deferred/redeem — the redemption job: the latest charged voucher of every redeemable
 * channel, claimed from the escrow in one batch transaction, journaled before it is sent. (The
 * credit-backed path's card redemption is `@x402-rails/deferred/credit-redeem`.)
 */

export * from './redeem/index.js';
