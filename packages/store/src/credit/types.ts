/**
 * The credit-backed deferred rail's records: billing identities (who may pay by voucher on credit,
 * with which card on file, up to what limit) and the charge journal of card redemption. Amounts of
 * credit are bigints in the ledger's asset units (micro-dollars for `usd`); a charge is in cents.
 * Times are epoch milliseconds passed in by the caller.
 */
import { z } from 'zod';

export type Hex = `0x${string}`;

/** A billing identity: the key that signs vouchers, the Stripe customer and card that pay them. */
export interface CreditAccount {
  /** The address whose key signs vouchers (lower case). */
  payer: Hex;
  /** Stripe customer, `cus_…`. */
  customer: string;
  /** A PaymentMethod saved to that customer for off-session charges, `pm_…`. */
  paymentMethod: string;
  /** Most a payer may owe at once (charged but not collected), in asset units (µ$ for usd). */
  creditLimit: bigint;
  currency: 'usd';
  createdAt: number;
  updatedAt: number;
}

export const creditAccountInputSchema = z.strictObject({
  payer: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'payer is an address: 0x and 40 hex digits')
    .transform((s) => s.toLowerCase() as Hex),
  customer: z.string().regex(/^cus_[A-Za-z0-9]{1,250}$/, 'customer is a Stripe id cus_…'),
  paymentMethod: z.string().regex(/^pm_[A-Za-z0-9_]{1,250}$/, 'paymentMethod is a Stripe id pm_…'),
  creditLimit: z
    .bigint()
    .min(0n, 'creditLimit is not negative')
    .max((1n << 128n) - 1n, 'creditLimit fits uint128'),
  currency: z.literal('usd'),
});
export type CreditAccountInput = z.input<typeof creditAccountInputSchema>;

export interface CreditAccounts {
  /**
   * Registers a billing identity, or replaces its customer, card and limit (e.g. after the buyer
   * fixed a declined card). Validates the input; throws a `ZodError` and stores nothing when bad.
   */
  register(input: CreditAccountInput, now: number): Promise<CreditAccount>;
  /** The identity of a payer address (any case), or undefined. */
  get(payer: string): Promise<CreditAccount | undefined>;
}

/** One channel a charge pays for: its claimed amount is raised to `claimedTo` once it succeeds. */
export interface CreditCoverage {
  channelId: Hex;
  claimedTo: bigint;
}

export type CreditChargeState = 'pending' | 'succeeded' | 'declined' | 'failed';

/**
 * A card charge of one buyer, written BEFORE the PaymentIntent is created; its id is the
 * idempotency key, so a retry of a pending row can only replay Stripe's first answer.
 */
export interface CreditCharge {
  id: string;
  payer: Hex;
  /** The customer and card charged (kept so a retry sends the very same request). */
  customer: string;
  paymentMethod: string;
  currency: 'usd';
  amountCents: number;
  covered: CreditCoverage[];
  state: CreditChargeState;
  paymentIntent?: string;
  declineCode?: string;
  /** 1 for the first try of a debt, +1 after each decline. */
  attempt: number;
  createdAt: number;
  updatedAt: number;
}

export interface FinishCharge {
  state: Exclude<CreditChargeState, 'pending'>;
  paymentIntent?: string;
  declineCode?: string;
  now: number;
}

export interface CreditCharges {
  /** Inserts a pending row; a second insert with the same id changes nothing. */
  insert(charge: CreditCharge): Promise<void>;
  get(id: string): Promise<CreditCharge | undefined>;
  /** Rows still pending (an answer never recorded), oldest first. */
  pending(): Promise<CreditCharge[]>;
  /** The payer's most recent row, or undefined. */
  latestFor(payer: string): Promise<CreditCharge | undefined>;
  /** Every row of a payer, oldest first. */
  listFor(payer: string): Promise<CreditCharge[]>;
  /** pending → final. A row already final is not changed again (returned as it is). */
  finish(id: string, result: FinishCharge): Promise<CreditCharge | undefined>;
}
