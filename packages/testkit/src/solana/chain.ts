/**
 * A local Solana for tests and the playground: LiteSVM behind a JSON-RPC server on 127.0.0.1
 * (a free port), with helpers to make a USDC-like mint, fund wallets with SOL and tokens, create
 * associated token accounts and expire the blockhash.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Address,
  address,
  createKeyPairSignerFromPrivateKeyBytes,
  type EncodedAccount,
  getBase58Decoder,
  type KeyPairSigner,
  lamports,
  type Transaction,
} from '@solana/kit';
import { findAssociatedTokenPda, getMintEncoder, getTokenEncoder } from '@solana-program/token';
import { LiteSVM } from 'litesvm';
import { stringifyRpc } from './json.js';
import { dispatch, type LocalSolanaState, land } from './rpc.js';

export const TOKEN_PROGRAM = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
export const TOKEN_2022_PROGRAM = address('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
/** The USDC mint on Solana devnet: a test mint can sit at this address (see `usdcAt`). */
export const DEVNET_USDC = address('4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU');
/** The genesis hash of Solana devnet, for a local chain that poses as devnet (official SDK interop). */
export const DEVNET_GENESIS_HASH = 'EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG';

const base58 = getBase58Decoder();
/** The local chain's genesis hash: fixed, so its network id `solana:<first 32 chars>` is too. */
export const LOCAL_GENESIS_HASH = base58.decode(
  createHash('sha256').update('x402-rails local solana').digest(),
);

export interface SolanaTestChainOptions {
  /** Genesis hash the node reports (default `LOCAL_GENESIS_HASH`; `DEVNET_GENESIS_HASH` poses as devnet). */
  genesisHash?: string;
  /** Address of the USDC-like mint (default a fresh one; `DEVNET_USDC` for the real devnet address). */
  usdcAt?: Address;
  /** Token program of the USDC-like mint (default Token; Token-2022 has the same base layout). */
  tokenProgram?: Address;
}

export interface SolanaTestWallet {
  signer: KeyPairSigner;
  address: Address;
  /** The 64-byte secret key (seed ‖ public key), as `@solana/web3.js` v1's `Keypair.secretKey` holds it. */
  secretKey: Uint8Array;
}

export interface SolanaTestChain {
  readonly svm: LiteSVM;
  readonly rpcUrl: string;
  /** CAIP-2 id: `solana:<first 32 characters of the genesis hash>`. */
  readonly network: `solana:${string}`;
  readonly genesisHash: string;
  /** The USDC-like mint (6 decimals). */
  readonly usdc: Address;
  readonly tokenProgram: Address;
  /** A new mint owned by `tokenProgram` (default this chain's). */
  createMint(options?: {
    decimals?: number;
    at?: Address;
    tokenProgram?: Address;
  }): Promise<Address>;
  /** A new key pair with SOL (default 1 SOL) and USDC (default none; its token account exists when given). */
  newWallet(funds?: { sol?: bigint; usdc?: bigint }): Promise<SolanaTestWallet>;
  /** Creates (or tops up) the associated token account of `owner`; returns its address. */
  fundToken(owner: Address, amount: bigint, mint?: Address): Promise<Address>;
  /** The associated token account address of `owner` for `mint` (default USDC). */
  ataOf(owner: Address, mint?: Address): Promise<Address>;
  /** Token balance of `owner`'s associated account (0 when it does not exist). */
  tokenBalanceOf(owner: Address, mint?: Address): Promise<bigint>;
  solBalanceOf(owner: Address): bigint;
  airdrop(to: Address, amount: bigint): void;
  /** Makes every earlier blockhash invalid. */
  expireBlockhash(): void;
  /** Keep sent transactions from landing until `releaseHeld()` (tests of pending settlements). */
  holdTransactions(hold: boolean): void;
  /** Lands every held transaction; returns how many. */
  releaseHeld(): number;
  /**
   * The JSON-RPC endpoint as an in-process `fetch` (no socket): for benchmarks that measure the
   * rail rather than the loopback network. Any URL reaches this chain.
   */
  fetch: typeof fetch;
  close(): Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answerOf(state: LocalSolanaState, body: string): string {
  let answer: unknown;
  try {
    const parsed: unknown = JSON.parse(body);
    answer = Array.isArray(parsed)
      ? parsed.map((request) => dispatch(state, request))
      : dispatch(state, parsed);
  } catch {
    answer = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } };
  }
  return stringifyRpc(answer);
}

function respond(state: LocalSolanaState, body: string, res: ServerResponse) {
  const answer = answerOf(state, body);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(answer);
}

function mintAccount(
  svm: LiteSVM,
  at: Address,
  decimals: number,
  owner: Address,
  authority: Address,
): EncodedAccount {
  const data = getMintEncoder().encode({
    mintAuthority: authority,
    supply: 0n,
    decimals,
    isInitialized: true,
    freezeAuthority: null,
  });
  return {
    address: at,
    data: Uint8Array.from(data),
    executable: false,
    lamports: lamports(svm.minimumBalanceForRentExemption(BigInt(data.length))),
    programAddress: owner,
    space: BigInt(data.length),
  };
}

async function newKeyPair(): Promise<{ signer: KeyPairSigner; secretKey: Uint8Array }> {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const signer = await createKeyPairSignerFromPrivateKeyBytes(seed, true);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', signer.keyPair.publicKey));
  const secretKey = new Uint8Array(64);
  secretKey.set(seed);
  secretKey.set(publicKey, 32);
  return { signer, secretKey };
}

/**
 * @example
 * const chain = await startSolanaTestChain();
 * const payer = await chain.newWallet({ usdc: 1_000_000n });
 * // ... createSolanaRpc(chain.rpcUrl) ...
 * await chain.close();
 */
export async function startSolanaTestChain(
  options: SolanaTestChainOptions = {},
): Promise<SolanaTestChain> {
  const svm = new LiteSVM();
  const genesisHash = options.genesisHash ?? LOCAL_GENESIS_HASH;
  const state: LocalSolanaState = {
    svm,
    genesisHash,
    landed: new Map(),
    blockHeight: 1n,
    held: new Map(),
    holdTransactions: false,
  };
  const tokenProgram = options.tokenProgram ?? TOKEN_PROGRAM;
  const mintAuthority = (await newKeyPair()).signer.address;
  const decimalsOf = new Map<Address, number>();
  const programOf = new Map<Address, Address>();

  async function createMint(
    o: { decimals?: number; at?: Address; tokenProgram?: Address } = {},
  ): Promise<Address> {
    const at = o.at ?? (await newKeyPair()).signer.address;
    const owner = o.tokenProgram ?? tokenProgram;
    const decimals = o.decimals ?? 6;
    svm.setAccount(mintAccount(svm, at, decimals, owner, mintAuthority));
    decimalsOf.set(at, decimals);
    programOf.set(at, owner);
    return at;
  }

  const usdc = await createMint(options.usdcAt ? { at: options.usdcAt } : {});

  async function ataOf(owner: Address, mint: Address = usdc): Promise<Address> {
    const [ata] = await findAssociatedTokenPda({
      owner,
      mint,
      tokenProgram: programOf.get(mint) ?? tokenProgram,
    });
    return ata;
  }

  function tokenAmount(at: Address): bigint | undefined {
    const account = svm.getAccount(at);
    if (!account.exists) return undefined;
    return Buffer.from(account.data).readBigUInt64LE(64);
  }

  async function fundToken(owner: Address, amount: bigint, mint: Address = usdc) {
    const at = await ataOf(owner, mint);
    const data = getTokenEncoder().encode({
      mint,
      owner,
      amount: (tokenAmount(at) ?? 0n) + amount,
      delegate: null,
      state: 1,
      isNative: null,
      delegatedAmount: 0n,
      closeAuthority: null,
    });
    svm.setAccount({
      address: at,
      data: Uint8Array.from(data),
      executable: false,
      lamports: lamports(svm.minimumBalanceForRentExemption(BigInt(data.length))),
      programAddress: programOf.get(mint) ?? tokenProgram,
      space: BigInt(data.length),
    });
    return at;
  }

  function airdrop(to: Address, amount: bigint) {
    const result = svm.airdrop(to, lamports(amount));
    if (!result || 'err' in result)
      throw new Error(`Airdrop of ${amount} lamports to ${to} failed: ${String(result)}`);
  }

  const server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    readBody(req).then(
      (body) => respond(state, body, res),
      () => res.writeHead(413).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    svm,
    rpcUrl: `http://127.0.0.1:${port}`,
    network: `solana:${genesisHash.slice(0, 32)}`,
    genesisHash,
    usdc,
    tokenProgram,
    createMint,
    async newWallet(funds = {}) {
      const { signer, secretKey } = await newKeyPair();
      const sol = funds.sol ?? 1_000_000_000n;
      if (sol > 0n) airdrop(signer.address, sol);
      if (funds.usdc !== undefined) await fundToken(signer.address, funds.usdc);
      return { signer, address: signer.address, secretKey };
    },
    fundToken,
    ataOf,
    async tokenBalanceOf(owner, mint = usdc) {
      return tokenAmount(await ataOf(owner, mint)) ?? 0n;
    },
    solBalanceOf: (owner) => BigInt(svm.getBalance(owner) ?? 0n),
    airdrop,
    expireBlockhash: () => svm.expireBlockhash(),
    holdTransactions(hold) {
      state.holdTransactions = hold;
    },
    releaseHeld() {
      const held: Transaction[] = [...state.held.values()];
      state.held.clear();
      for (const tx of held) land(state, tx);
      return held.length;
    },
    fetch: async (input, init) => {
      const body = init?.body ?? (input instanceof Request ? await input.text() : '');
      return new Response(answerOf(state, String(body)), {
        headers: { 'content-type': 'application/json' },
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
