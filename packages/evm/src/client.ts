/** Client role of the EVM exact rail: signs EIP-3009 authorizations. */
export {
  createEvmExactClient,
  type EvmExactClient,
  type EvmExactClientOptions,
  type EvmPayer,
} from './client/client.js';
export { defineEvmNetwork, EVM_NETWORKS, type EvmNetwork } from './networks.js';
