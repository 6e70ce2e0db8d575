/**
 * The exact-SVM payload: `{ transaction: <base64 wire transaction> }`, decoded strictly and
 * cheaply (the verify hot path) into its message, signatures and instructions.
 */
import {
  type Address,
  type CompiledTransactionMessage,
  type CompiledTransactionMessageWithLifetime,
  getBase58Decoder,
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
  type Transaction,
} from '@solana/kit';

/** The wire form, as the x402 specification and the official SDK send it. */
export interface ExactSvmPayload {
  transaction: string;
}

/** Largest Solana transaction (1,232 bytes) in base64, with room for padding. */
export const MAX_TRANSACTION_BASE64 = 1_644;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface DecodedInstruction {
  program: Address;
  accounts: Address[];
  data: Uint8Array;
}

export interface DecodedTransaction {
  transaction: Transaction;
  message: CompiledTransactionMessage & CompiledTransactionMessageWithLifetime;
  /** The message's accounts; instructions' accounts resolved (lookup-table indexes unresolved). */
  instructions: DecodedInstruction[];
  feePayer: Address;
  /** The accounts that must sign, fee payer first. */
  signers: Address[];
}

const base64 = getBase64Encoder();
const base58 = getBase58Decoder();
const transactionDecoder = getTransactionDecoder();
const messageDecoder = getCompiledTransactionMessageDecoder();

/** The `transaction` string of a payload, or undefined when the payload has none of the right shape. */
export function transactionOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const { transaction } = payload as Record<string, unknown>;
  if (typeof transaction !== 'string') return undefined;
  if (transaction.length > MAX_TRANSACTION_BASE64 || !BASE64.test(transaction)) return undefined;
  return transaction;
}

/** Decodes a wire transaction; undefined when its bytes are not a transaction. */
export function decodeTransaction(wire: string): DecodedTransaction | undefined {
  try {
    const transaction = transactionDecoder.decode(base64.encode(wire));
    const message = messageDecoder.decode(transaction.messageBytes);
    const accounts = message.staticAccounts;
    const feePayer = accounts[0];
    if (!feePayer) return undefined;
    const instructions: DecodedInstruction[] = [];
    // Version 1 messages lay instructions out differently; the layout rules refuse them.
    const compiled = 'instructions' in message ? message.instructions : [];
    for (const ix of compiled) {
      const program = accounts[ix.programAddressIndex];
      if (!program) return undefined;
      const metas: Address[] = [];
      for (const index of ix.accountIndices ?? []) {
        // An index past the static accounts points into a lookup table (refused later).
        metas.push(accounts[index] ?? (`lookup:${index}` as Address));
      }
      instructions.push({ program, accounts: metas, data: Uint8Array.from(ix.data ?? []) });
    }
    const signers = accounts.slice(0, message.header.numSignerAccounts);
    return { transaction, message, instructions, feePayer, signers };
  } catch {
    return undefined;
  }
}

/** The transaction's id on chain: the fee payer's signature (the first), base58. */
export function transactionSignature(signature: Uint8Array): string {
  return base58.decode(signature);
}
