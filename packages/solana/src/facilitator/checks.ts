/**
 * The facilitator's static rules for an exact-SVM transaction: everything that needs no chain.
 * Each rule fails with its own reason; the order follows the specification (layout, fee-payer
 * safety, compute budget, transfer intent), with the cheap checks first.
 */
import { type Address, getAddressEncoder } from '@solana/kit';
import type { PaymentRequirements } from '@x402-rails/core';
import { verifyEd25519 } from '../ed25519.js';
import {
  COMPUTE_BUDGET_PROGRAM,
  isTokenProgram,
  LIGHTHOUSE_PROGRAM,
  MAX_MEMO_BYTES,
  MEMO_PROGRAM,
} from '../programs.js';
import { SolanaReason } from '../reasons.js';
import type { DecodedInstruction, DecodedTransaction } from '../transaction.js';

export interface Failure {
  ok: false;
  reason: string;
  message: string;
  payer?: string;
}

export interface CheckPolicy {
  /** Keys this facilitator manages (any of them may be the fee payer). */
  feePayers: ReadonlySet<string>;
  maxComputeUnitPrice: bigint;
  maxComputeUnitLimit: number;
}

/** The transfer a transaction makes, once its layout is checked. */
export interface CheckedTransfer {
  ok: true;
  tokenProgram: Address;
  source: Address;
  mint: Address;
  destination: Address;
  authority: Address;
  amount: bigint;
  decimals: number;
  computeUnitLimit: number;
  computeUnitPrice: bigint;
}

export function fail(reason: string, message: string, payer?: string): Failure {
  return { ok: false, reason, message, ...(payer ? { payer } : {}) };
}

const OPTIONAL_REASONS = [
  SolanaReason.unknownFourthInstruction,
  SolanaReason.unknownFifthInstruction,
  SolanaReason.unknownSixthInstruction,
];
const TRANSFER_CHECKED = 12;
const SET_COMPUTE_UNIT_LIMIT = 2;
const SET_COMPUTE_UNIT_PRICE = 3;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const addressEncoder = getAddressEncoder();

function view(data: Uint8Array) {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

function computeLimit(ix: DecodedInstruction | undefined): number | undefined {
  if (!ix || ix.program !== COMPUTE_BUDGET_PROGRAM || ix.accounts.length !== 0) return undefined;
  if (ix.data.length !== 5 || ix.data[0] !== SET_COMPUTE_UNIT_LIMIT) return undefined;
  return view(ix.data).getUint32(1, true);
}

function computePrice(ix: DecodedInstruction | undefined): bigint | undefined {
  if (!ix || ix.program !== COMPUTE_BUDGET_PROGRAM || ix.accounts.length !== 0) return undefined;
  if (ix.data.length !== 9 || ix.data[0] !== SET_COMPUTE_UNIT_PRICE) return undefined;
  return view(ix.data).getBigUint64(1, true);
}

function memoText(ix: DecodedInstruction): string | undefined {
  if (ix.data.length > MAX_MEMO_BYTES) return undefined;
  try {
    return utf8.decode(ix.data);
  } catch {
    return undefined;
  }
}

/**
 * Checks a decoded transaction against the requirements and the policy, without the chain and
 * without the destination address (derived by the caller, as it is asynchronous).
 */
export function checkTransaction(
  tx: DecodedTransaction,
  req: PaymentRequirements,
  policy: CheckPolicy,
): Failure | CheckedTransfer {
  const { message, instructions, feePayer, signers } = tx;
  const expectedFeePayer = req.extra?.['feePayer'];
  if (message.version !== 0)
    return fail(
      SolanaReason.transactionVersion,
      `Message version ${message.version}; 0 is required`,
    );
  if ('addressTableLookups' in message && (message.addressTableLookups?.length ?? 0) > 0)
    return fail(SolanaReason.addressLookupTables, 'Address lookup tables are not accepted');
  if (feePayer !== expectedFeePayer)
    return fail(
      SolanaReason.feePayerMismatch,
      `The fee payer is ${feePayer}, not ${String(expectedFeePayer)}`,
    );
  if (signers.length !== 2)
    return fail(SolanaReason.excessiveSigners, `${signers.length} signers; exactly 2 are required`);
  if (tx.transaction.signatures[feePayer])
    return fail(
      SolanaReason.feePayerSignaturePresent,
      'The fee payer’s signature slot must be empty',
    );

  if (instructions.length < 3 || instructions.length > 6)
    return fail(
      SolanaReason.instructionsLength,
      `${instructions.length} instructions; 3 to 6 are allowed`,
    );
  const units = computeLimit(instructions[0]);
  if (units === undefined)
    return fail(
      SolanaReason.computeLimitInstruction,
      'Instruction 1 must set the compute-unit limit',
    );
  if (units > policy.maxComputeUnitLimit)
    return fail(
      SolanaReason.computeLimitTooHigh,
      `Compute-unit limit ${units} is above ${policy.maxComputeUnitLimit}`,
    );
  const price = computePrice(instructions[1]);
  if (price === undefined)
    return fail(
      SolanaReason.computePriceInstruction,
      'Instruction 2 must set the compute-unit price',
    );
  if (price > policy.maxComputeUnitPrice)
    return fail(
      SolanaReason.computePriceTooHigh,
      `Compute-unit price ${price} microlamports is above ${policy.maxComputeUnitPrice}`,
    );

  const transfer = instructions[2] as DecodedInstruction;
  if (
    !isTokenProgram(transfer.program) ||
    transfer.data.length !== 10 ||
    transfer.data[0] !== TRANSFER_CHECKED ||
    transfer.accounts.length !== 4
  )
    return fail(SolanaReason.noTransferInstruction, 'Instruction 3 must be a TransferChecked');
  const [source, mint, destination, authority] = transfer.accounts as [
    Address,
    Address,
    Address,
    Address,
  ];
  const payer = authority;
  if (
    policy.feePayers.has(authority) ||
    policy.feePayers.has(source) ||
    authority === feePayer ||
    source === feePayer
  )
    return fail(
      SolanaReason.feePayerTransferringFunds,
      'The fee payer may not be the source or authority of the transfer',
      payer,
    );
  for (const ix of instructions)
    if (ix.accounts.some((a) => a === feePayer || policy.feePayers.has(a)))
      return fail(
        SolanaReason.feePayerInInstruction,
        'The fee payer appears in an instruction’s accounts',
        payer,
      );
  if (signers[1] !== authority)
    return fail(
      SolanaReason.authorityNotSigner,
      'The only other signer must be the transfer authority',
      payer,
    );

  const optional = instructions.slice(3);
  const memos: DecodedInstruction[] = [];
  for (const [i, ix] of optional.entries()) {
    if (ix.program === MEMO_PROGRAM) memos.push(ix);
    else if (ix.program !== LIGHTHOUSE_PROGRAM)
      return fail(
        OPTIONAL_REASONS[i] as string,
        `Instruction ${i + 4} is neither Memo nor Lighthouse`,
        payer,
      );
  }
  for (const memo of memos)
    if (memoText(memo) === undefined)
      return fail(
        SolanaReason.memoInvalid,
        `A memo must be UTF-8 of at most ${MAX_MEMO_BYTES} bytes`,
        payer,
      );
  const expectedMemo = req.extra?.['memo'];
  if (typeof expectedMemo === 'string' && expectedMemo !== '') {
    if (memos.length !== 1)
      return fail(SolanaReason.memoCount, `${memos.length} memos; exactly one is required`, payer);
    if (memoText(memos[0] as DecodedInstruction) !== expectedMemo)
      return fail(SolanaReason.memoMismatch, 'The memo differs from extra.memo', payer);
  }

  if (mint !== req.asset)
    return fail(
      SolanaReason.mintMismatch,
      `The transfer is of mint ${mint}, not ${req.asset}`,
      payer,
    );
  const data = view(transfer.data);
  const amount = data.getBigUint64(1, true);
  if (amount.toString() !== req.amount)
    return fail(
      SolanaReason.amountMismatch,
      `The transfer is of ${amount}, not ${req.amount}`,
      payer,
    );

  const signature = tx.transaction.signatures[authority];
  if (!signature || !verifyEd25519(authority, signature, tx.transaction.messageBytes))
    return fail(
      SolanaReason.signatureInvalid,
      'The transfer authority’s signature is invalid',
      payer,
    );

  return {
    ok: true,
    tokenProgram: transfer.program,
    source,
    mint,
    destination,
    authority,
    amount,
    decimals: transfer.data[9] as number,
    computeUnitLimit: units,
    computeUnitPrice: price,
  };
}

/** True for a well-formed address (32 bytes of base58). */
export function isSolanaAddress(value: unknown): value is Address {
  if (typeof value !== 'string' || value.length < 32 || value.length > 44) return false;
  try {
    return addressEncoder.encode(value as Address).length === 32;
  } catch {
    return false;
  }
}
