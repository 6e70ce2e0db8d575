/**
 * @x402-rails/testkit — the toy rail (all roles) and, on `./conformance`, the suite every rail runs.
 */
export * from './client.js';
export * from './facilitator.js';
export { runReadmeExample } from './readme.js';
export * from './server.js';
export { startToyPaidServer, type ToyPaidServer } from './toy/paid-server.js';
export { type ToyPayload, ToyPayloadSchema, type ToyTransfer } from './toy/payload.js';
export { createToyRail, type ToyRail, type ToyRailOptions } from './toy/rail.js';
