import type {
  Network,
  PaymentPayload,
  PaymentRequirements,
  SchemeFacilitator,
} from '@x402-rails/core';
import type { StripeConnection } from '../api.js';
import type { StripeNetwork } from '../network.js';
import type { StripeHoldStore } from './holds.js';

export interface StripeCardFacilitatorOptions {
  /** The seller account's secret (or restricted) key: `sk_test_...` / `sk_live_...`. */
  secretKey: string;
  /** The account the key belongs to (`acct_...`): the only `payTo` this facilitator charges for. */
  accountId: string;
  /** Checked against the key's mode at construction; default the key's (`stripe:test` / `stripe:live`). */
  network?: StripeNetwork;
  /** Where Stripe is, SDK retries and timeout (tests: the double's `connection`). */
  connection?: StripeConnection;
  /** Record of open holds (default in memory). */
  holds?: StripeHoldStore;
  /** Announced in `/supported` so clients can make PaymentMethods. */
  publishableKey?: string;
  /** Clock in ms (tests). */
  now?: () => number;
}

export interface StripeRefundRequest {
  /** The settlement's `transaction` (a PaymentIntent id, `pi_...`). */
  transaction: string;
  /** Minor units; default everything not refunded yet. */
  amount?: bigint | string;
  reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
  /** Makes a retried refund request refund once. */
  idempotencyKey?: string;
}

export interface StripeRefund {
  id: string;
  amount: string;
  currency: string;
  status: string;
}

export interface SweepResult {
  canceled: number;
  /** Holds already captured or voided on Stripe: their records are closed. */
  closed: number;
  failed: number;
}

export interface StripeCardFacilitator extends SchemeFacilitator {
  readonly network: StripeNetwork;
  release(payload: PaymentPayload, requirements: PaymentRequirements): Promise<void>;
  /** Refunds a settled payment (all of it by default) for the seller. */
  refund(request: StripeRefundRequest): Promise<StripeRefund>;
  /** Voids open holds older than their requirements' `maxTimeoutSeconds`. */
  sweep(limit?: number): Promise<SweepResult>;
  /** Runs `sweep` every `intervalMs` (unref'd); returns the stop function. */
  startSweeper(intervalMs: number, onError?: (error: unknown) => void): () => void;
  supportedNetworks(): readonly Network[];
}
