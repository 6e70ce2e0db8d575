/**
 * @x402-rails/testkit/solana — a local Solana for tests and the playground: a JSON-RPC server over
 * LiteSVM (127.0.0.1, a free port) that `@solana/kit`'s `createSolanaRpc` can run a whole payment
 * against, with helpers for a USDC-like mint, funded wallets and blockhash expiry.
 */
export {
  DEVNET_GENESIS_HASH,
  DEVNET_USDC,
  LOCAL_GENESIS_HASH,
  type SolanaTestChain,
  type SolanaTestChainOptions,
  type SolanaTestWallet,
  startSolanaTestChain,
  TOKEN_2022_PROGRAM,
  TOKEN_PROGRAM,
} from './solana/chain.js';
export { type TransactionErrorJson, transactionErrorJson } from './solana/errors.js';
export { type LandedTransaction, METHODS as SOLANA_RPC_METHODS } from './solana/rpc.js';
