/**
 * @x402-rails/deferred/ledger — the channel ledger the deferred rail stores vouchers in: its
 * interface (drivers: memory here, PGlite/Postgres in `@x402-rails/store`) and the memory driver.
 */
export * from './ledger/index.js';
