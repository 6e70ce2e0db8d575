/**
 * A local Stripe test double for tests and the playground (issue 6).
 */
export {};
