/** Facilitator role of the EVM exact rail: verify and settle EIP-3009 authorizations. */
export { reasonForRevert } from './facilitator/failure.js';
export type {
  EvmExactFacilitator,
  EvmExactFacilitatorOptions,
  EvmFacilitatorNetwork,
} from './facilitator/options.js';
export { createEvmExactFacilitator } from './facilitator/rail.js';
export { defineEvmNetwork, EVM_NETWORKS, type EvmNetwork } from './networks.js';
export { EvmReason } from './reasons.js';
export { type RecoveryBackend, recoveryBackend, useRecoveryBackend } from './recover.js';
export {
  createHttpRpc,
  type EvmRpc,
  type HttpRpcOptions,
  RpcError,
  type RpcResult,
} from './rpc.js';
