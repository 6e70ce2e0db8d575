/**
 * @x402-rails/store/deferred-ledger-contract — the vitest suite every deferred channel-ledger
 * driver runs: `runDeferredLedgerContract(name, makeLedger)`. Needs `vitest` (an optional peer
 * dependency); the store's own drivers run it in their tests.
 */
export {
  type DeferredLedgerContractOptions,
  runDeferredLedgerContract,
} from './deferred/contract.js';
