/**
 * @x402-rails/deferred/ledger — the channel ledger the deferred rail stores vouchers in: its
 * interface and the memory driver, re-exported from `@x402-rails/store` (which also holds the
 * PGlite/Postgres drivers), and `evmChannelConfig`.
 */
export * from './ledger/index.js';
