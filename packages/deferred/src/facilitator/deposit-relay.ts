/**
 * Relayed deposits (opt-in, per network): the first payment of a channel the official client
 * opens from nothing is a `deposit` payload — the payer's ERC-3009 ReceiveWithAuthorization to the
 * deposit collector plus the voucher. Verify checks the authorization's window and simulates the
 * escrow's `deposit`; settle sends it (the one chain call on the request path, and only for
 * deposits), waits for the receipt, then the voucher is committed as any other.
 */
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import {
  type Account,
  type Chain,
  encodeAbiParameters,
  keccak256,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { escrowAbi } from '../escrow-abi.js';
import { depositArgs } from '../escrow-calls.js';
import type { Hex } from '../ledger/types.js';
import { parseBatchSettlementPayload } from '../parse.js';
import { type DepositPayload, requirementsExtraSchema } from '../payload.js';

/** The official binding's names for a deposit's problems. */
export const DepositRelayReason = {
  erc3009Required: 'invalid_batch_settlement_evm_erc3009_authorization_required',
  validBefore: 'invalid_batch_settlement_evm_payload_authorization_valid_before',
  validAfter: 'invalid_batch_settlement_evm_payload_authorization_valid_after',
  belowMinDeposit: 'invalid_batch_settlement_evm_deposit_below_min_deposit',
  simulationFailed: 'invalid_batch_settlement_evm_deposit_simulation_failed',
  transactionFailed: 'invalid_batch_settlement_evm_deposit_transaction_failed',
} as const;

/** What a facilitator needs to relay deposits on one network. */
export interface DepositRelay {
  /** The ERC-3009 deposit collector the payers' authorizations name as `to`. */
  collector: Hex;
  /**
   * Sends the `deposit` transactions and pays their gas. With several deposits at once, give its
   * account viem's `nonceManager`.
   */
  wallet: WalletClient<Transport, Chain, Account>;
  /** Simulates, reads and waits for receipts on the same chain. */
  client: Pick<PublicClient, 'simulateContract' | 'waitForTransactionReceipt' | 'readContract'>;
  /** How long settle waits for the deposit's receipt (default 30 s). */
  receiptTimeoutMs?: number;
  /** The authorization must stay valid this long after verify (default 6 s). */
  validityMarginSeconds?: number;
}

/** A deposit payload, and the same payment seen as a plain voucher (what the flow reserves). */
export interface DepositView {
  deposit: DepositPayload;
  voucherView: PaymentPayload;
}

/** The deposit a payload carries, if it is a deposit payload (undefined for anything else). */
export function depositViewOf(payload: PaymentPayload): DepositView | undefined {
  if (payload.payload['type'] !== 'deposit') return undefined;
  let parsed: ReturnType<typeof parseBatchSettlementPayload>;
  try {
    parsed = parseBatchSettlementPayload(payload.payload);
  } catch {
    return undefined; // the plain path refuses it with the decoding reason
  }
  if (parsed.type !== 'deposit') return undefined;
  return {
    deposit: parsed,
    voucherView: {
      ...payload,
      payload: { type: 'voucher', channelConfig: parsed.channelConfig, voucher: parsed.voucher },
    },
  };
}

type Problem = { ok: false; reason: string; message: string };
const problem = (reason: string, message: string): Problem => ({ ok: false, reason, message });

/** The authorization's window, the announced minimum, then a simulation of the escrow call. */
export async function checkDeposit(
  relay: DepositRelay,
  escrow: Hex,
  { deposit }: DepositView,
  requirements: PaymentRequirements,
  nowSeconds: number,
): Promise<{ ok: true } | Problem> {
  const { authorization } = deposit.deposit;
  if (!('erc3009Authorization' in authorization)) {
    return problem(DepositRelayReason.erc3009Required, 'Only ERC-3009 deposits are relayed.');
  }
  const { validAfter, validBefore } = authorization.erc3009Authorization;
  if (BigInt(validAfter) > BigInt(Math.floor(nowSeconds))) {
    return problem(DepositRelayReason.validAfter, 'The deposit authorization is not valid yet.');
  }
  const margin = relay.validityMarginSeconds ?? 6;
  if (BigInt(validBefore) <= BigInt(Math.floor(nowSeconds) + margin)) {
    return problem(DepositRelayReason.validBefore, 'The deposit authorization expires too soon.');
  }
  const extra = requirementsExtraSchema.safeParse(requirements.extra ?? {});
  const minDeposit = extra.success ? extra.data.minDeposit : undefined;
  if (minDeposit !== undefined && BigInt(deposit.deposit.amount) < BigInt(minDeposit)) {
    return problem(DepositRelayReason.belowMinDeposit, `A deposit is at least ${minDeposit}.`);
  }
  try {
    await relay.client.simulateContract({
      account: relay.wallet.account,
      address: escrow,
      abi: escrowAbi,
      functionName: 'deposit',
      args: depositArgs(deposit, relay.collector),
    });
  } catch (error) {
    return problem(
      DepositRelayReason.simulationFailed,
      `The deposit would fail: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  return { ok: true };
}

/** The ERC-3009 nonce of a deposit: keccak256(abi.encode(channelId, uint256(salt))). */
export function depositNonce(channelId: Hex, salt: Hex): Hex {
  return keccak256(
    encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [channelId, BigInt(salt)]),
  );
}

/**
 * Sends the deposit and waits for it. Idempotent: an authorization the token already counts as
 * used was deposited by an earlier attempt (the nonce names the channel), so nothing is sent.
 */
export async function relayDeposit(
  relay: DepositRelay,
  escrow: Hex,
  { deposit }: DepositView,
): Promise<{ ok: true; transaction?: Hex } | Problem> {
  const { authorization } = deposit.deposit;
  if (!('erc3009Authorization' in authorization)) {
    return problem(DepositRelayReason.erc3009Required, 'Only ERC-3009 deposits are relayed.');
  }
  const nonce = depositNonce(deposit.voucher.channelId, authorization.erc3009Authorization.salt);
  try {
    const used = await relay.client.readContract({
      address: deposit.channelConfig.token,
      abi: AUTHORIZATION_STATE_ABI,
      functionName: 'authorizationState',
      args: [deposit.channelConfig.payer, nonce],
    });
    if (used) return { ok: true };
    const hash = await relay.wallet.writeContract({
      address: escrow,
      abi: escrowAbi,
      functionName: 'deposit',
      args: depositArgs(deposit, relay.collector),
    });
    const receipt = await relay.client.waitForTransactionReceipt({
      hash,
      timeout: relay.receiptTimeoutMs ?? 30_000,
    });
    if (receipt.status !== 'success') {
      return problem(DepositRelayReason.transactionFailed, `The deposit ${hash} reverted.`);
    }
    return { ok: true, transaction: hash };
  } catch (error) {
    return problem(
      DepositRelayReason.transactionFailed,
      `The deposit failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
}

const AUTHORIZATION_STATE_ABI = [
  {
    type: 'function',
    name: 'authorizationState',
    stateMutability: 'view',
    inputs: [
      { name: 'authorizer', type: 'address' },
      { name: 'nonce', type: 'bytes32' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
] as const;
