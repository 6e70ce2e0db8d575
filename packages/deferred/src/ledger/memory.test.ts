import { runDeferredLedgerContract } from '@x402-rails/store/deferred-ledger-contract';
import { createMemoryDeferredLedger } from './index.js';

// The rail's re-export is the store's memory driver: the same contract holds through it.
runDeferredLedgerContract('memory (via @x402-rails/deferred/ledger)', async () =>
  createMemoryDeferredLedger(),
);
