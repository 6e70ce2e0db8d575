/**
 * @x402-rails/core — x402 v2 types and schemas, header codec, money, networks, errors, the scheme
 * interface, the scheme registry and the payment ledger interface. Engines live on subpaths:
 * `./client`, `./server`, `./facilitator`.
 */
export * from './codec.js';
export * from './codec-v1.js';
export * from './errors.js';
export type { FacilitatorCallOptions, FacilitatorClient } from './facilitator-client.js';
export * from './ledger.js';
export * from './money.js';
export * from './networks.js';
export * from './registry.js';
export * from './schemas.js';
export type * from './scheme.js';
export { failedSettlement } from './settle-response.js';
