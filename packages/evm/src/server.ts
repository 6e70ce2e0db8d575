/** Server role of the EVM exact rail: prices to requirements, and the payment id. */
export { defineEvmNetwork, EVM_NETWORKS, type EvmNetwork } from './networks.js';
export { exactEvmPaymentId } from './payment-id.js';
export { createEvmExactServer, type EvmExactServerOptions } from './server/server.js';
