/**
 * @x402-rails/evm — the x402 `exact` scheme on EVM chains: USDC by EIP-3009
 * `transferWithAuthorization`. Shared pieces here; the roles on `./client`, `./server`,
 * `./facilitator`.
 */
export {
  type Authorization,
  authorizationDigest,
  domainSeparator,
  type Eip712Domain,
  TRANSFER_WITH_AUTHORIZATION_TYPE,
} from './eip3009.js';
export {
  assetsOf,
  chainIdOf,
  defineEvmNetwork,
  EVM_NETWORKS,
  type EvmAsset,
  type EvmNetwork,
  type EvmNetworkInput,
  evmNetworkTable,
  findAsset,
  MULTICALL3,
} from './networks.js';
export { type ExactEvmPayload, type ParsedPayload, parseExactEvmPayload } from './payload.js';
export { exactEvmPaymentId } from './payment-id.js';
export { EvmReason } from './reasons.js';
