/**
 * The chain phase of verify and settle: co-sign as the fee payer, then in one JSON-RPC batch
 * simulate the signed transaction with signature verification and ask whether it already landed.
 */
import {
  type Address,
  getBase58Encoder,
  getBase64EncodedWireTransaction,
  type SignatureBytes,
  type Transaction,
} from '@solana/kit';
import { SolanaReason } from '../reasons.js';
import type { RpcResult } from '../rpc.js';
import { transactionSignature } from '../transaction.js';
import { type Failure, fail } from './checks.js';
import type { RailContext } from './context.js';
import type { Prechecked } from './precheck.js';

export interface Signed {
  transaction: Transaction;
  wire: string;
  /** The transaction's id: the fee payer's signature, base58. */
  signature: string;
}

/** Status of a signature as a node reports it. */
export interface SignatureStatus {
  err: unknown;
  confirmationStatus?: string | null;
}

const base58 = getBase58Encoder();
// Token program errors (same codes in Token-2022) that name a precise reason.
const TOKEN_ERRORS: Record<number, string> = {
  1: SolanaReason.insufficientFunds,
  3: SolanaReason.mintMismatch,
  18: SolanaReason.decimalsMismatch,
};

/** Co-signs as the fee payer: only ever in the fee payer's slot, with a key this facilitator manages. */
export async function coSign(pre: Pick<Prechecked, 'tx' | 'key'>): Promise<Signed> {
  const { transaction, feePayer } = pre.tx;
  const signature = (await pre.key.sign(transaction)) as SignatureBytes;
  const signed: Transaction = {
    ...transaction,
    signatures: { ...transaction.signatures, [feePayer]: signature },
  };
  return {
    transaction: signed,
    wire: getBase64EncodedWireTransaction(signed),
    signature: transactionSignature(signature),
  };
}

/** The reason for a Solana transaction error (simulation, preflight or a landed failure). */
export function reasonForError(
  err: unknown,
  transferIndex = 2,
): { reason: string; message: string } {
  const text = typeof err === 'string' ? err : JSON.stringify(err);
  if (err === 'BlockhashNotFound')
    return {
      reason: SolanaReason.blockhashExpired,
      message: 'The transaction’s blockhash expired',
    };
  if (err === 'AlreadyProcessed')
    return {
      reason: SolanaReason.alreadySettled,
      message: 'This transaction was already processed',
    };
  if (err === 'SignatureFailure')
    return { reason: SolanaReason.signatureInvalid, message: 'A signature does not verify' };
  if (err && typeof err === 'object' && 'InstructionError' in err) {
    const [index, detail] = (err as { InstructionError: [unknown, unknown] }).InstructionError;
    if (index === transferIndex && detail && typeof detail === 'object' && 'Custom' in detail) {
      const code = Number((detail as { Custom: unknown }).Custom);
      const reason = TOKEN_ERRORS[code];
      if (reason) return { reason, message: `The transfer fails: ${text}` };
    }
  }
  return { reason: SolanaReason.simulationFailed, message: `Simulation fails: ${text}` };
}

function statusOf(result: RpcResult | undefined): SignatureStatus | null | undefined {
  if (!result?.ok) return undefined;
  const value = (result.value as { value?: unknown })?.value;
  if (!Array.isArray(value)) return undefined;
  const first = value[0];
  if (first === null) return null;
  if (typeof first !== 'object') return undefined;
  return first as SignatureStatus;
}

/**
 * One batch: simulation with signature verification, and whether the transaction already landed.
 * Only when the simulation fails is the destination read, to name a missing account precisely.
 */
export async function checkOnChain(
  ctx: RailContext,
  pre: Prechecked,
  signed: Signed,
): Promise<Failure | { ok: true; landed?: SignatureStatus }> {
  const { state, payer } = pre;
  const commitment = ctx.commitment;
  let results: RpcResult[];
  try {
    results = await state.rpc.batch([
      {
        method: 'simulateTransaction',
        params: [signed.wire, { encoding: 'base64', sigVerify: true, commitment }],
      },
      { method: 'getSignatureStatuses', params: [[signed.signature]] },
    ]);
  } catch (error) {
    return fail(
      SolanaReason.simulationFailed,
      `The Solana RPC could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      payer,
    );
  }
  const [simulation, status] = results;
  const landed = statusOf(status);
  if (landed) {
    if (landed.err === null || landed.err === undefined)
      return fail(
        SolanaReason.alreadySettled,
        `Transaction ${signed.signature} already landed`,
        payer,
      );
    return { ok: true, landed };
  }
  if (!simulation?.ok)
    return fail(
      SolanaReason.simulationFailed,
      `Simulation failed: ${simulation?.error.message}`,
      payer,
    );
  const sim = (simulation.value as { value?: { err?: unknown } })?.value;
  if (!sim || typeof sim !== 'object')
    return fail(SolanaReason.simulationFailed, 'The simulation answer is malformed', payer);
  if (sim.err === null || sim.err === undefined) return { ok: true };
  const missing = await destinationProblem(ctx, pre).catch(() => undefined);
  if (missing) return fail(SolanaReason.destinationMissing, missing, payer);
  const { reason, message } = reasonForError(sim.err);
  return fail(reason, message, payer);
}

/** Why the destination cannot receive the transfer, or undefined when it can. */
async function destinationProblem(ctx: RailContext, pre: Prechecked): Promise<string | undefined> {
  const { transfer } = pre;
  const answer = await pre.state.rpc.request<{
    value?: { owner?: unknown; data?: unknown } | null;
  }>('getAccountInfo', [transfer.destination, { encoding: 'base64', commitment: ctx.commitment }]);
  const info = answer?.value;
  if (!info) return `payTo's token account ${transfer.destination} does not exist`;
  if (info.owner !== transfer.tokenProgram || !ownsMint(info.data, transfer.mint))
    return `${transfer.destination} is not a token account of ${transfer.mint}`;
  return undefined;
}

/** Whether base64 token-account data names `mint` (its first 32 bytes). */
function ownsMint(data: unknown, mint: Address): boolean {
  if (!Array.isArray(data) || typeof data[0] !== 'string') return false;
  const bytes = Buffer.from(data[0], 'base64');
  if (bytes.length < 165) return false;
  const expected = base58.encode(mint);
  return bytes.subarray(0, 32).equals(Buffer.from(expected));
}
