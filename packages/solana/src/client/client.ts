/**
 * Client role of the Solana exact rail: builds the payment transaction — compute-unit limit,
 * compute-unit price, `TransferChecked` from the payer's associated token account to payTo's, and
 * one Memo (`extra.memo`, or a random 16-byte nonce so equal payments stay distinct) — with the
 * facilitator's `extra.feePayer` as fee payer, and signs it as the transfer authority only.
 */

import {
  type Address,
  address,
  appendTransactionMessageInstructions,
  compileTransaction,
  createNoopSigner,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  type Instruction,
  isBlockhash,
  pipe,
  type SignatureBytes,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
} from '@solana/kit';
import {
  getSetComputeUnitLimitInstruction,
  getSetComputeUnitPriceInstruction,
} from '@solana-program/compute-budget';
import { findAssociatedTokenPda, getTransferCheckedInstruction } from '@solana-program/token';
import {
  type CreatePaymentContext,
  type NetworkPattern,
  networkMatches,
  type PaymentRequirements,
  type SchemeClient,
  X402Error,
} from '@x402-rails/core';
import { isSolanaAddress } from '../facilitator/checks.js';
import { createSolanaKey, type SolanaKeyInput } from '../keys.js';
import { type SolanaNetwork, type SolanaNetworkInput, solanaNetworkTable } from '../networks.js';
import { isTokenProgram, MAX_MEMO_BYTES, MEMO_PROGRAM } from '../programs.js';
import { createHttpRpc, type SolanaRpc } from '../rpc.js';
import type { ExactSvmPayload } from '../transaction.js';

export interface SolanaExactClientOptions {
  /**
   * The payer: a kit `TransactionSigner`, a 64-byte secret key (`Keypair.secretKey` of
   * `@solana/web3.js` v1), a solana-keygen JSON array, a 32-byte seed or base58 text.
   */
  signer: SolanaKeyInput;
  /** RPC for every network (else each network's own `rpcUrl`, else the public endpoint). */
  rpcUrl?: string;
  rpc?: SolanaRpc;
  /** Custom networks (a local chain) or overrides, with their `rpcUrl`. */
  networks?: readonly (SolanaNetwork | SolanaNetworkInput)[];
  /** Networks to pay on (default every `solana:*` in the table). */
  payOn?: readonly NetworkPattern[];
  /** Compute-unit limit asked for (default 20,000, as the official client: TransferChecked and a memo need under 7,000 even on the classic Token program). */
  computeUnitLimit?: number;
  /** Compute-unit price in microlamports (default 1). */
  computeUnitPrice?: bigint | number;
}

export interface SolanaExactClient extends SchemeClient {
  readonly address: Address;
}

interface MintFacts {
  decimals: number;
  tokenProgram: Address;
}

function hexNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex');
}

/**
 * @example
 * const client = createSolanaExactClient({ signer: keypair.secretKey });
 * const agent = createPaymentClient({ schemes: [client] });
 */
export function createSolanaExactClient(options: SolanaExactClientOptions): SolanaExactClient {
  const key = createSolanaKey(options.signer);
  const table = solanaNetworkTable(options.networks);
  const patterns = options.payOn ?? ['solana:*'];
  const limit = options.computeUnitLimit ?? 20_000;
  const price = BigInt(options.computeUnitPrice ?? 1);
  const rpcs = new Map<string, SolanaRpc>();
  const mints = new Map<string, Promise<MintFacts>>();

  function rpcFor(network: string): SolanaRpc {
    if (options.rpc) return options.rpc;
    let rpc = rpcs.get(network);
    if (!rpc) {
      const url = options.rpcUrl ?? table.get(network as never)?.rpcUrl;
      if (!url) throw new X402Error('invalid_config', { message: `No RPC URL for ${network}` });
      rpc = createHttpRpc(url);
      rpcs.set(network, rpc);
    }
    return rpc;
  }

  async function fetchMint(network: string, mint: Address): Promise<MintFacts> {
    const answer = await rpcFor(network).request<{
      value?: { owner?: unknown; data?: unknown } | null;
    }>('getAccountInfo', [mint, { encoding: 'base64' }]);
    const info = answer?.value;
    const data =
      Array.isArray(info?.data) && typeof info.data[0] === 'string'
        ? Buffer.from(info.data[0], 'base64')
        : undefined;
    if (
      !info ||
      typeof info.owner !== 'string' ||
      !isTokenProgram(info.owner) ||
      !data ||
      data.length < 82
    )
      throw new X402Error('invalid_payment_requirements', {
        message: `${mint} is not a mint of the Token or Token-2022 program`,
      });
    return { decimals: data[44] as number, tokenProgram: address(info.owner) };
  }

  function mintFacts(network: string, mint: Address): Promise<MintFacts> {
    const usdc = table.get(network as never)?.usdc;
    if (usdc && usdc.address === mint)
      return Promise.resolve({ decimals: usdc.decimals, tokenProgram: usdc.tokenProgram });
    const k = `${network}:${mint}`;
    let found = mints.get(k);
    if (!found) {
      found = fetchMint(network, mint);
      mints.set(k, found);
      found.catch(() => mints.delete(k));
    }
    return found;
  }

  async function blockhashFor(req: PaymentRequirements) {
    const answer = await rpcFor(req.network).request<{
      value?: { blockhash?: unknown; lastValidBlockHeight?: unknown };
    }>('getLatestBlockhash', [{ commitment: 'confirmed' }]);
    const { blockhash, lastValidBlockHeight } = answer?.value ?? {};
    if (typeof blockhash !== 'string' || !isBlockhash(blockhash))
      throw new X402Error('invalid_config', { message: 'The Solana RPC gave no valid blockhash' });
    return {
      blockhash,
      lastValidBlockHeight: BigInt(Number(lastValidBlockHeight ?? 0)),
    };
  }

  function memoOf(req: PaymentRequirements): Uint8Array {
    const memo = req.extra?.['memo'];
    const text = typeof memo === 'string' && memo !== '' ? memo : hexNonce();
    const bytes = new TextEncoder().encode(text);
    if (bytes.length > MAX_MEMO_BYTES)
      throw new X402Error('invalid_payment_requirements', {
        message: `extra.memo is longer than ${MAX_MEMO_BYTES} bytes`,
      });
    return bytes;
  }

  return {
    scheme: 'exact',
    networks: patterns,
    address: key.address,
    canPay(req) {
      return (
        req.scheme === 'exact' &&
        req.network.startsWith('solana:') &&
        patterns.some((p) => networkMatches(p, req.network)) &&
        isSolanaAddress(req.asset) &&
        isSolanaAddress(req.payTo) &&
        isSolanaAddress(req.extra?.['feePayer']) &&
        req.extra?.['feePayer'] !== key.address &&
        /^[1-9][0-9]{0,19}$/.test(req.amount) &&
        BigInt(req.amount) < 1n << 64n
      );
    },
    async create({ requirements: req }: CreatePaymentContext) {
      if (!this.canPay?.(req))
        throw new X402Error('invalid_payment_requirements', {
          message: 'These requirements are not an exact-SVM payment this client can make',
        });
      const mint = address(req.asset);
      const owner = address(req.payTo);
      const feePayer = address(String(req.extra?.['feePayer']));
      const [facts, lifetime] = await Promise.all([
        mintFacts(req.network, mint),
        blockhashFor(req),
      ]);
      const [[source], [destination]] = await Promise.all([
        findAssociatedTokenPda({ owner: key.address, mint, tokenProgram: facts.tokenProgram }),
        findAssociatedTokenPda({ owner, mint, tokenProgram: facts.tokenProgram }),
      ]);
      const instructions: Instruction[] = [
        getSetComputeUnitLimitInstruction({ units: limit }),
        getSetComputeUnitPriceInstruction({ microLamports: price }),
        getTransferCheckedInstruction(
          {
            source,
            mint,
            destination,
            // A placeholder signer: it marks the authority as a signer; the key signs below.
            authority: createNoopSigner(key.address),
            amount: BigInt(req.amount),
            decimals: facts.decimals,
          },
          { programAddress: facts.tokenProgram },
        ),
        { programAddress: MEMO_PROGRAM, accounts: [], data: memoOf(req) },
      ];
      const message = pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayer(feePayer, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
        (m) => appendTransactionMessageInstructions(instructions, m),
      );
      const transaction = compileTransaction(message);
      const signature = (await key.sign(transaction)) as SignatureBytes;
      const signed = {
        ...transaction,
        signatures: { ...transaction.signatures, [key.address]: signature },
      };
      const payload: ExactSvmPayload = { transaction: getBase64EncodedWireTransaction(signed) };
      return { payload: payload as unknown as Record<string, unknown> };
    },
  };
}
