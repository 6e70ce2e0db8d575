/** The options and the public interface of the EVM exact facilitator. */
import type {
  PaymentPayload,
  PaymentRequirements,
  SchemeFacilitator,
  VerifyResponse,
} from '@x402-rails/core';
import type { Hex, LocalAccount } from 'viem';
import type { EvmNetworkInput } from '../networks.js';
import type { EvmRpc } from '../rpc.js';

export interface EvmFacilitatorNetwork extends EvmNetworkInput {
  /** JSON-RPC endpoint (or give `rpc`). */
  rpcUrl?: string;
  /** A JSON-RPC client of your own (tests, custom transports). */
  rpc?: EvmRpc;
  /** How often receipts are polled (default: a quarter of the block time; a few ms on a local node). */
  pollingIntervalMs?: number;
  /**
   * Send with `eth_sendRawTransactionSync` (EIP-7966), which answers with the receipt: one round
   * trip less per settlement on nodes that include transactions at once (Anvil, dev nodes). The
   * sending key waits for the answer, so leave it off where blocks take seconds (default false).
   */
  sendRawTransactionSync?: boolean;
}

export interface EvmExactFacilitatorOptions {
  /** The networks this facilitator serves, each with its RPC endpoint. */
  networks: readonly EvmFacilitatorNetwork[];
  /** Facilitator keys that pay the gas: viem local accounts or private keys. Several pipeline sends. */
  signers: readonly (LocalAccount | Hex)[];
  /** EIP-6492 factories trusted to deploy counterfactual payer wallets (default none). */
  eip6492Factories?: readonly string[];
  /** Accept any EIP-3009 token, not only the network's listed assets (default false). */
  acceptAnyAsset?: boolean;
  /** Blocks a settlement waits for (default 1). */
  confirmations?: number;
  /** How long settle waits for the receipt before reporting the settlement pending (default 120 s). */
  receiptTimeoutMs?: number;
  /** Highest fee per gas (wei) the facilitator pays; above it nothing is sent. */
  maxFeePerGas?: bigint;
  /** Tolerated difference between the payer's clock and ours (default 30 s). */
  clockSkewSeconds?: number;
  /** An authorization must stay valid at least this long to be accepted (default 2 blocks, at least 6 s). */
  expiryBufferSeconds?: number;
  /** How far back status() looks for the transaction that used an authorization (default 50,000 blocks). */
  logLookbackBlocks?: number;
  /** Gas limit = estimate × this / 100 (default 125). */
  gasMarginPercent?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /** Test hooks: `afterBroadcast` runs once the node has the transaction, before the receipt is awaited. */
  hooks?: {
    afterBroadcast?(event: { paymentId: string; transaction: Hex }): void | Promise<void>;
  };
}

export interface EvmExactFacilitator extends SchemeFacilitator {
  /** The facilitator's key addresses. */
  readonly addresses: readonly Hex[];
  /**
   * Verify without the chain: scheme, network, fields, time window, EIP-712 digest and an EOA's
   * signature. What remains for `verify` is the payer's code, nonce state, balance and simulation.
   */
  verifyOffchain(payload: PaymentPayload, requirements: PaymentRequirements): VerifyResponse;
}
