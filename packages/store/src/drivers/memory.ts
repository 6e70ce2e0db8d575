/**
 * The memory driver: core's reference in-memory ledger and journal, as they are, and the deferred
 * rail's in-memory channel ledger. Lost on exit and private to one process; for unit tests and
 * single-process tools.
 */
import { createMemoryLedger, createMemorySettlementJournal } from '@x402-rails/core';
import { createMemoryCreditAccounts, createMemoryCreditCharges } from '../credit/memory.js';
import { createMemoryDeferredLedger } from '../deferred/memory.js';
import type { StoreParts } from '../types.js';

export function openMemory(now: (() => number) | undefined): StoreParts {
  const clock = now ? { now } : {};
  const payments = createMemoryLedger(clock);
  const settlements = createMemorySettlementJournal(clock);
  return {
    payments,
    settlements,
    deferredLedger: createMemoryDeferredLedger(),
    creditAccounts: createMemoryCreditAccounts(),
    creditCharges: createMemoryCreditCharges(),
    async close() {},
    async prune(before) {
      return { payments: payments.prune(before), settlements: settlements.prune(before) };
    },
  };
}
