/**
 * @x402-rails/solana — the x402 `exact` scheme on Solana: SPL USDC by `TransferChecked`, the
 * facilitator co-signs as fee payer. Shared pieces here; the roles on `./client`, `./server`,
 * `./facilitator`.
 */
export { createSolanaKey, type SolanaKey, type SolanaKeyInput } from './keys.js';
export {
  defineSolanaNetwork,
  SOLANA_NETWORKS,
  type SolanaAsset,
  type SolanaNetwork,
  type SolanaNetworkInput,
  solanaNetworkTable,
} from './networks.js';
export { exactSvmPaymentId, messageDigest } from './payment-id.js';
export {
  COMPUTE_BUDGET_PROGRAM,
  LIGHTHOUSE_PROGRAM,
  MEMO_PROGRAM,
  TOKEN_2022_PROGRAM,
  TOKEN_PROGRAM,
} from './programs.js';
export { SolanaReason } from './reasons.js';
export {
  type DecodedInstruction,
  type DecodedTransaction,
  decodeTransaction,
  type ExactSvmPayload,
} from './transaction.js';
