/** Server role of the Solana exact rail: prices to requirements, and the payment id. */
export { defineSolanaNetwork, SOLANA_NETWORKS, type SolanaNetwork } from './networks.js';
export { exactSvmPaymentId } from './payment-id.js';
export { createSolanaExactServer, type SolanaExactServerOptions } from './server/server.js';
