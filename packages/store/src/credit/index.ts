/** The credit-backed deferred rail's billing identities and charge journal: memory and SQL. */
export { createMemoryCreditAccounts, createMemoryCreditCharges } from './memory.js';
export type {
  CreditAccount,
  CreditAccountInput,
  CreditAccounts,
  CreditCharge,
  CreditChargeState,
  CreditCharges,
  CreditCoverage,
  FinishCharge,
} from './types.js';
export { creditAccountInputSchema } from './types.js';
