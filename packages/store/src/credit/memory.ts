/** The credit records in process memory: for tests and single-process tools (lost on exit). */
import {
  type CreditAccount,
  type CreditAccounts,
  type CreditCharge,
  type CreditCharges,
  creditAccountInputSchema,
  type Hex,
} from './types.js';

const copyCharge = (c: CreditCharge): CreditCharge => ({
  ...c,
  covered: c.covered.map((x) => ({ ...x })),
});

export function createMemoryCreditAccounts(): CreditAccounts {
  const accounts = new Map<string, CreditAccount>();
  return {
    async register(input, now) {
      const parsed = creditAccountInputSchema.parse(input);
      const existing = accounts.get(parsed.payer);
      const account: CreditAccount = {
        ...parsed,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      accounts.set(parsed.payer, account);
      return { ...account };
    },
    async get(payer) {
      const found = accounts.get(payer.toLowerCase());
      return found ? { ...found } : undefined;
    },
  };
}

export function createMemoryCreditCharges(): CreditCharges {
  // Insertion order is creation order: the journal is append-only.
  const rows = new Map<string, CreditCharge>();
  const ofPayer = (payer: string) =>
    [...rows.values()].filter((r) => r.payer === payer.toLowerCase());
  return {
    async insert(charge) {
      if (!rows.has(charge.id))
        rows.set(charge.id, copyCharge({ ...charge, payer: charge.payer.toLowerCase() as Hex }));
    },
    async get(id) {
      const row = rows.get(id);
      return row ? copyCharge(row) : undefined;
    },
    async pending() {
      return [...rows.values()].filter((r) => r.state === 'pending').map(copyCharge);
    },
    async latestFor(payer) {
      const all = ofPayer(payer);
      const last = all[all.length - 1];
      return last ? copyCharge(last) : undefined;
    },
    async listFor(payer) {
      return ofPayer(payer).map(copyCharge);
    },
    async finish(id, result) {
      const row = rows.get(id);
      if (!row) return undefined;
      if (row.state === 'pending') {
        row.state = result.state;
        row.updatedAt = result.now;
        if (result.paymentIntent !== undefined) row.paymentIntent = result.paymentIntent;
        if (result.declineCode !== undefined) row.declineCode = result.declineCode;
      }
      return copyCharge(row);
    },
  };
}
