/**
 * @x402-rails/deferred/ledger-contract — the vitest suite every channel-ledger driver runs:
 * `runDeferredLedgerContract(name, makeLedger)`. Needs `vitest` (an optional peer dependency).
 */
export {
  type DeferredLedgerContractOptions,
  runDeferredLedgerContract,
} from './ledger/contract.js';
