/**
 * @x402-rails/testkit/anvil — a local EVM chain for tests and the playground: the Anvil launcher
 * (free port on 127.0.0.1, stopped by pid, no leftover process), the test contracts (an EIP-3009
 * "USD Coin", an EIP-1271 wallet, a counterfactual wallet factory, Multicall3, the deferred rail's
 * escrow) and a helper that deploys them and funds wallets.
 */
export {
  DeferredDepositCollector,
  DeferredEscrow,
  Multicall3,
  TestUSDC,
  TestWallet,
  TestWalletFactory,
} from './anvil/artifacts.js';
export {
  type EvmTestChain,
  type EvmTestChainOptions,
  localChain,
  MULTICALL3_ADDRESS,
  startEvmTestChain,
  TEST_USDC,
  type TestWalletKey,
} from './anvil/chain.js';
export {
  type AnvilNode,
  type AnvilOptions,
  anvilBinaryPath,
  jsonRpc,
  startAnvil,
} from './anvil/node.js';
