/** Facilitator role of the Solana exact rail: verify, co-sign as fee payer, settle. */
export {
  DEFAULT_MAX_COMPUTE_UNIT_LIMIT,
  DEFAULT_MAX_COMPUTE_UNIT_PRICE,
} from './facilitator/context.js';
export type {
  SolanaExactFacilitator,
  SolanaExactFacilitatorOptions,
  SolanaFacilitatorNetwork,
} from './facilitator/options.js';
export { createSolanaExactFacilitator } from './facilitator/rail.js';
export { defineSolanaNetwork, SOLANA_NETWORKS, type SolanaNetwork } from './networks.js';
export { SolanaReason } from './reasons.js';
export {
  createHttpRpc,
  type HttpRpcOptions,
  type RpcCall,
  RpcError,
  type RpcResult,
  type SolanaRpc,
} from './rpc.js';
