import { runDeferredLedgerContract } from './contract.js';
import { createMemoryDeferredLedger } from './memory.js';

runDeferredLedgerContract('memory', async () => createMemoryDeferredLedger());
