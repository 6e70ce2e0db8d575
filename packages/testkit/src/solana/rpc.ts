/**
 * The JSON-RPC methods of the local Solana, over one LiteSVM: the subset `@solana/kit`'s
 * `createSolanaRpc` needs for a payment's whole flow, in Solana's own shapes (`context`/`value`
 * wrappers, base64 account data, preflight failures as error -32002 with `data.err`).
 */
import {
  type Address,
  address,
  getBase58Decoder,
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getCompiledTransactionMessageEncoder,
  getSignatureFromTransaction,
  getTransactionDecoder,
  type Signature,
  type Transaction,
} from '@solana/kit';
import type { FailedTransactionMetadata, LiteSVM, TransactionMetadata } from 'litesvm';
import { preflightMessage, type TransactionErrorJson, transactionErrorJson } from './errors.js';

/** A JSON-RPC error with Solana's codes. */
export class RpcMethodError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

const INVALID_PARAMS = -32602;
const METHOD_NOT_FOUND = -32601;
const PREFLIGHT_FAILURE = -32002;
/** Blocks a blockhash stays usable on a real cluster. */
const BLOCKHASH_LIFETIME = 150n;

/** What a landed transaction left behind (`getSignatureStatuses`). */
export interface LandedTransaction {
  slot: bigint;
  err: TransactionErrorJson | null;
}

export interface LocalSolanaState {
  svm: LiteSVM;
  genesisHash: string;
  landed: Map<string, LandedTransaction>;
  blockHeight: bigint;
  /** Signatures sent but held back from landing (tests of pending settlements). */
  held: Map<string, Transaction>;
  holdTransactions: boolean;
}

const txDecoder = getTransactionDecoder();
const base64 = getBase64Encoder();
const base58 = getBase58Decoder();
const messageDecoder = getCompiledTransactionMessageDecoder();
const messageEncoder = getCompiledTransactionMessageEncoder();

function slotOf(state: LocalSolanaState): bigint {
  return state.svm.getClock().slot;
}

function context(state: LocalSolanaState) {
  return { apiVersion: '2.2.0', slot: slotOf(state) };
}

function configOf(params: unknown[], index: number): Record<string, unknown> {
  const c = params[index];
  return c && typeof c === 'object' ? (c as Record<string, unknown>) : {};
}

function addressParam(value: unknown): Address {
  try {
    return address(String(value));
  } catch {
    throw new RpcMethodError(INVALID_PARAMS, `Invalid param: ${String(value)} is not an address`);
  }
}

function decodeWire(value: unknown, config: Record<string, unknown>): Transaction {
  const encoding = config['encoding'] ?? 'base58';
  if (encoding !== 'base64')
    throw new RpcMethodError(INVALID_PARAMS, 'This local node accepts base64 transactions only');
  try {
    return txDecoder.decode(base64.encode(String(value)));
  } catch {
    throw new RpcMethodError(INVALID_PARAMS, 'failed to deserialize transaction');
  }
}

function accountJson(state: LocalSolanaState, at: Address, config: Record<string, unknown>) {
  const encoding = config['encoding'] ?? 'base64';
  if (encoding !== 'base64')
    throw new RpcMethodError(INVALID_PARAMS, `Encoding ${String(encoding)} is not supported here`);
  const account = state.svm.getAccount(at);
  if (!account.exists) return null;
  return {
    data: [Buffer.from(account.data).toString('base64'), 'base64'],
    executable: account.executable,
    lamports: BigInt(account.lamports),
    owner: account.programAddress,
    rentEpoch: 18446744073709551615n,
    space: BigInt(account.data.length),
  };
}

function isFailure(
  result: TransactionMetadata | FailedTransactionMetadata | object,
): result is FailedTransactionMetadata {
  return typeof (result as FailedTransactionMetadata).err === 'function';
}

/** Runs `fn` with signature verification off (a simulation with `sigVerify: false`). */
function withoutSigverify<T>(svm: LiteSVM, fn: () => T): T {
  svm.withSigverify(false);
  try {
    return fn();
  } finally {
    svm.withSigverify(true);
  }
}

function replaceBlockhash(state: LocalSolanaState, tx: Transaction): Transaction {
  const compiled = messageDecoder.decode(tx.messageBytes);
  const latest = state.svm.latestBlockhash();
  const messageBytes = messageEncoder.encode({ ...compiled, lifetimeToken: latest });
  return { ...tx, messageBytes: messageBytes as Transaction['messageBytes'] };
}

function simulate(state: LocalSolanaState, tx: Transaction, sigVerify: boolean) {
  const run = () => state.svm.simulateTransaction(tx);
  const result = sigVerify ? run() : withoutSigverify(state.svm, run);
  if (isFailure(result)) {
    const meta = result.meta();
    return {
      err: transactionErrorJson(result),
      logs: meta.logs(),
      unitsConsumed: meta.computeUnitsConsumed(),
    };
  }
  const meta = result.meta();
  return { err: null, logs: meta.logs(), unitsConsumed: meta.computeUnitsConsumed() };
}

/** Lands a transaction: a failure inside an instruction lands (and is recorded) as on a cluster. */
export function land(state: LocalSolanaState, tx: Transaction): LandedTransaction {
  const signature = getSignatureFromTransaction(tx);
  const result = state.svm.sendTransaction(tx);
  const landed: LandedTransaction = {
    slot: slotOf(state),
    err: isFailure(result) ? transactionErrorJson(result) : null,
  };
  const recorded =
    !landed.err || (typeof landed.err === 'object' && 'InstructionError' in landed.err);
  if (recorded && !state.landed.has(signature)) {
    state.landed.set(signature, landed);
    state.blockHeight += 1n;
  }
  return landed;
}

type Method = (state: LocalSolanaState, params: unknown[]) => unknown;

export const METHODS: Record<string, Method> = {
  getHealth: () => 'ok',
  getVersion: () => ({ 'solana-core': '2.2.0', 'feature-set': 0 }),
  getGenesisHash: (state) => state.genesisHash,
  getSlot: (state) => slotOf(state),
  getBlockHeight: (state) => state.blockHeight,
  getEpochInfo: (state) => ({
    absoluteSlot: slotOf(state),
    blockHeight: state.blockHeight,
    epoch: 0n,
    slotIndex: 0n,
    slotsInEpoch: 432000n,
    transactionCount: BigInt(state.landed.size),
  }),
  getLatestBlockhash: (state) => ({
    context: context(state),
    value: {
      blockhash: state.svm.latestBlockhash(),
      lastValidBlockHeight: state.blockHeight + BLOCKHASH_LIFETIME,
    },
  }),
  isBlockhashValid: (state, params) => ({
    context: context(state),
    value: String(params[0]) === state.svm.latestBlockhash(),
  }),
  getMinimumBalanceForRentExemption: (state, params) => {
    const size = Number(params[0] ?? 0);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new RpcMethodError(INVALID_PARAMS, 'Invalid data length');
    return state.svm.minimumBalanceForRentExemption(BigInt(size));
  },
  getBalance: (state, params) => ({
    context: context(state),
    value: BigInt(state.svm.getBalance(addressParam(params[0])) ?? 0n),
  }),
  getAccountInfo: (state, params) => ({
    context: context(state),
    value: accountJson(state, addressParam(params[0]), configOf(params, 1)),
  }),
  getMultipleAccounts: (state, params) => {
    const list = params[0];
    if (!Array.isArray(list) || list.length > 100)
      throw new RpcMethodError(INVALID_PARAMS, 'Expected a list of at most 100 addresses');
    const config = configOf(params, 1);
    return {
      context: context(state),
      value: list.map((a) => accountJson(state, addressParam(a), config)),
    };
  },
  getTokenAccountBalance: (state, params) => {
    const account = state.svm.getAccount(addressParam(params[0]));
    if (!account.exists || account.data.length < 72)
      throw new RpcMethodError(INVALID_PARAMS, 'Invalid param: could not find account');
    const data = Buffer.from(account.data);
    const mint = state.svm.getAccount(address(base58.decode(data.subarray(0, 32))));
    const decimals = mint.exists ? (mint.data[44] ?? 0) : 0;
    const amount = data.readBigUInt64LE(64);
    const ui = Number(amount) / 10 ** decimals;
    return {
      context: context(state),
      value: { amount: amount.toString(), decimals, uiAmount: ui, uiAmountString: String(ui) },
    };
  },
  simulateTransaction: (state, params) => {
    const config = configOf(params, 1);
    let tx = decodeWire(params[0], config);
    const replace = config['replaceRecentBlockhash'] === true;
    const sigVerify = config['sigVerify'] === true;
    if (replace && sigVerify)
      throw new RpcMethodError(
        INVALID_PARAMS,
        'sigVerify may not be used with replaceRecentBlockhash',
      );
    if (replace) tx = replaceBlockhash(state, tx);
    const result = simulate(state, tx, sigVerify);
    return {
      context: context(state),
      value: {
        ...result,
        accounts: null,
        returnData: null,
        innerInstructions: null,
        ...(replace
          ? {
              replacementBlockhash: {
                blockhash: state.svm.latestBlockhash(),
                lastValidBlockHeight: state.blockHeight + BLOCKHASH_LIFETIME,
              },
            }
          : {}),
      },
    };
  },
  sendTransaction: (state, params) => {
    const config = configOf(params, 1);
    const tx = decodeWire(params[0], config);
    const signature = getSignatureFromTransaction(tx);
    if (config['skipPreflight'] !== true) {
      const preflight = simulate(state, tx, true);
      if (preflight.err)
        throw new RpcMethodError(PREFLIGHT_FAILURE, preflightMessage(preflight.err), {
          ...preflight,
          accounts: null,
          returnData: null,
          innerInstructions: null,
        });
    }
    if (state.holdTransactions) state.held.set(signature, tx);
    else land(state, tx);
    return signature;
  },
  getSignatureStatuses: (state, params) => {
    const list = params[0];
    if (!Array.isArray(list) || list.length > 256)
      throw new RpcMethodError(INVALID_PARAMS, 'Expected a list of at most 256 signatures');
    return {
      context: context(state),
      value: list.map((s) => {
        const landed = state.landed.get(String(s));
        if (!landed) return null;
        return {
          slot: landed.slot,
          confirmations: null,
          err: landed.err,
          status: landed.err ? { Err: landed.err } : { Ok: null },
          confirmationStatus: 'finalized',
        };
      }),
    };
  },
  requestAirdrop: (state, params) => {
    const to = addressParam(params[0]);
    const amount = BigInt(Number(params[1] ?? 0));
    const result = state.svm.airdrop(to, amount as never);
    if (!result || isFailure(result)) throw new RpcMethodError(-32603, 'Airdrop failed');
    return base58.decode(result.signature()) as Signature;
  },
};

/** Dispatches one JSON-RPC request object to its method; the result or a JSON-RPC error. */
export function dispatch(state: LocalSolanaState, request: unknown): Record<string, unknown> {
  const req = (request ?? {}) as { id?: unknown; method?: unknown; params?: unknown };
  const id = req.id ?? null;
  const method = typeof req.method === 'string' ? METHODS[req.method] : undefined;
  if (!method || !Object.hasOwn(METHODS, String(req.method)))
    return {
      jsonrpc: '2.0',
      id,
      error: { code: METHOD_NOT_FOUND, message: `Method not found: ${String(req.method)}` },
    };
  try {
    const params = Array.isArray(req.params) ? req.params : [];
    return { jsonrpc: '2.0', id, result: method(state, params) };
  } catch (error) {
    if (error instanceof RpcMethodError)
      return {
        jsonrpc: '2.0',
        id,
        error: {
          code: error.code,
          message: error.message,
          ...(error.data === undefined ? {} : { data: error.data }),
        },
      };
    return {
      jsonrpc: '2.0',
      id,
      error: { code: -32603, message: error instanceof Error ? error.message : String(error) },
    };
  }
}
