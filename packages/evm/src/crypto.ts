/**
 * @x402-rails/evm/crypto — the signature-verification primitives of the EVM rail's hot path, for
 * other rails that verify secp256k1 signatures over keccak digests (the deferred rail's vouchers):
 * the unrolled keccak-256, public-key recovery on the native libsecp256k1 binding with a pure-JS
 * fallback, the EIP-2 low-s check and the address of a public key. The same code the exact
 * scheme's facilitator runs; nothing here touches the network.
 */
export { addressOfPublicKey } from './eip3009.js';
export { keccak256 } from './keccak.js';
export {
  isLowS,
  type RecoveryBackend,
  recoverPublicKey,
  recoveryBackend,
  SECP256K1_N,
  signHashNative,
  useRecoveryBackend,
} from './recover.js';
