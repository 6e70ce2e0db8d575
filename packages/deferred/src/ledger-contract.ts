/**
 * @x402-rails/deferred/ledger-contract — the vitest suite every channel-ledger driver runs:
 * `runDeferredLedgerContract(name, makeLedger)`, re-exported from
 * `@x402-rails/store/deferred-ledger-contract`. Needs `vitest` (an optional peer dependency).
 */
export {
  type DeferredLedgerContractOptions,
  runDeferredLedgerContract,
} from '@x402-rails/store/deferred-ledger-contract';
