/** Client role of the Solana exact rail: builds and signs the payment transaction. */
export {
  createSolanaExactClient,
  type SolanaExactClient,
  type SolanaExactClientOptions,
} from './client/client.js';
export type { SolanaKeyInput } from './keys.js';
export { defineSolanaNetwork, SOLANA_NETWORKS, type SolanaNetwork } from './networks.js';
