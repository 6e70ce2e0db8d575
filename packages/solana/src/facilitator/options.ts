/** The options and the public interface of the Solana exact facilitator. */

import type { Address } from '@solana/kit';
import type { PaymentPayload, PaymentRequirements, SchemeFacilitator } from '@x402-rails/core';
import type { SolanaKeyInput } from '../keys.js';
import type { SolanaNetwork, SolanaNetworkInput } from '../networks.js';
import type { SolanaRpc } from '../rpc.js';

export interface SolanaFacilitatorNetwork extends SolanaNetworkInput {
  /** JSON-RPC endpoint (default the network's public one), or give `rpc`. */
  rpcUrl?: string;
  /** A JSON-RPC client of your own (tests, custom transports). */
  rpc?: SolanaRpc;
  /** How often settle polls the signature's status (default 400 ms; a few ms on a local node). */
  pollIntervalMs?: number;
}

export interface SolanaExactFacilitatorOptions {
  /** The networks this facilitator serves (a built-in network by `{ id }`, or a custom one). */
  networks: readonly (SolanaFacilitatorNetwork | SolanaNetwork)[];
  /**
   * Fee-payer keys: kit signers, 64-byte secret keys, solana-keygen JSON arrays, 32-byte seeds or
   * base58 text. The facilitator co-signs only as one of these, and only as the fee payer.
   */
  signers: readonly SolanaKeyInput[];
  /**
   * Highest compute-unit price accepted, in microlamports per unit (default 5,000,000, the
   * specification's bound of 5 lamports per unit).
   */
  maxComputeUnitPrice?: bigint | number;
  /**
   * Highest compute-unit limit accepted (default 40,000). Measured on LiteSVM: TransferChecked
   * 105 units on Token (the p-token build LiteSVM ships; the classic SPL Token program takes about
   * 6,200) and 1,791 on Token-2022 without extensions (extensions such as transfer fees add a few
   * thousand), a memo 287 (32 bytes) to 456 units (256 bytes), each compute-budget instruction 150;
   * a wallet's Lighthouse assertion takes a few thousand. The official client asks for 20,000, so
   * the cap must not be below that; 40,000 leaves room for the classic program, Token-2022
   * extensions and three optional instructions, while bounding the priority fee the facilitator
   * pays at the default price cap to limit × price = 200,000 lamports (0.0002 SOL) per payment.
   */
  maxComputeUnitLimit?: number;
  /** Commitment a settlement waits for (default `confirmed`). */
  commitment?: 'confirmed' | 'finalized';
  /** How long settle waits for confirmation before reporting the settlement pending (default 60 s). */
  confirmTimeoutMs?: number;
  /** Test hooks: `afterBroadcast` runs once the node has the transaction, before it is confirmed. */
  hooks?: {
    afterBroadcast?(event: { paymentId: string; transaction: string }): void | Promise<void>;
  };
}

export interface SolanaExactFacilitator extends SchemeFacilitator {
  /** The fee payers' addresses. */
  readonly addresses: readonly Address[];
  /** The checks that need no chain (layout, fee payer, compute budget, mint, amount, recipient, signature). */
  verifyOffchain(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<{ isValid: boolean; invalidReason?: string; invalidMessage?: string; payer?: string }>;
}
