/**
 * Key inputs accepted wherever a Solana key is configured: a kit `TransactionSigner`, a 64-byte
 * secret key (seed ‖ public key, as `@solana/web3.js` v1's `Keypair.secretKey` and solana-keygen
 * files hold it), a solana-keygen JSON array (as text or numbers), a 32-byte seed, or base58 text
 * of either length.
 */
import {
  type Address,
  address,
  getAddressDecoder,
  getBase58Encoder,
  type Transaction,
  type TransactionPartialSigner,
  type TransactionSigner,
} from '@solana/kit';
import { ConfigError } from '@x402-rails/core';
import { privateKeyFromSeed, publicKeyBytes, signEd25519 } from './ed25519.js';

/** What a key may be given as. */
export type SolanaKeyInput = TransactionSigner | Uint8Array | readonly number[] | string;

/** A key as raw seed bytes, or a kit signer to sign through. */
export type ResolvedKey =
  | { kind: 'seed'; seed: Uint8Array; publicKey?: Uint8Array }
  | { kind: 'signer'; signer: TransactionSigner; address: Address };

function bytesKey(bytes: Uint8Array): ResolvedKey {
  if (bytes.length === 64)
    return { kind: 'seed', seed: bytes.slice(0, 32), publicKey: bytes.slice(32) };
  if (bytes.length === 32) return { kind: 'seed', seed: bytes.slice() };
  throw new ConfigError(
    `A Solana secret key has 64 bytes (or a 32-byte seed); this one has ${bytes.length}`,
  );
}

function isSigner(input: unknown): input is TransactionSigner {
  return (
    typeof input === 'object' &&
    input !== null &&
    'address' in input &&
    ('signTransactions' in input ||
      'signAndSendTransactions' in input ||
      'modifyAndSignTransactions' in input)
  );
}

export function resolveKey(input: SolanaKeyInput): ResolvedKey {
  if (isSigner(input)) return { kind: 'signer', signer: input, address: address(input.address) };
  if (input instanceof Uint8Array) return bytesKey(input);
  if (Array.isArray(input)) {
    if (!input.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))
      throw new ConfigError('A key array must hold bytes (0–255)');
    return bytesKey(Uint8Array.from(input));
  }
  if (typeof input === 'string') {
    const text = input.trim();
    if (text.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ConfigError('The key is not a solana-keygen JSON array');
      }
      if (!Array.isArray(parsed))
        throw new ConfigError('The key is not a solana-keygen JSON array');
      return resolveKey(parsed as number[]);
    }
    let bytes: Uint8Array;
    try {
      bytes = Uint8Array.from(getBase58Encoder().encode(text));
    } catch {
      throw new ConfigError('The key is neither base58 nor a JSON byte array');
    }
    return bytesKey(bytes);
  }
  throw new ConfigError('Unsupported Solana key input');
}

/** Whether a kit signer can sign a transaction without sending or modifying it. */
export function isPartialSigner(signer: TransactionSigner): signer is TransactionPartialSigner {
  return 'signTransactions' in signer;
}

/** A key that signs transaction messages. */
export interface SolanaKey {
  readonly address: Address;
  /** The key's signature of `transaction`'s message. */
  sign(transaction: Transaction): Promise<Uint8Array> | Uint8Array;
}

/** A signing key from any accepted input; a 64-byte key whose halves disagree is refused. */
export function createSolanaKey(input: SolanaKeyInput): SolanaKey {
  const key = resolveKey(input);
  if (key.kind === 'signer') {
    const { signer } = key;
    if (!isPartialSigner(signer))
      throw new ConfigError('The signer must be able to sign without sending (a partial signer)');
    return {
      address: key.address,
      async sign(transaction) {
        const [signatures] = await signer.signTransactions([transaction as never]);
        const signature = signatures?.[key.address];
        if (!signature) throw new ConfigError(`The signer did not sign for ${key.address}`);
        return signature;
      },
    };
  }
  const privateKey = privateKeyFromSeed(key.seed);
  const publicKey = publicKeyBytes(privateKey);
  if (key.publicKey && !key.publicKey.every((b, i) => b === publicKey[i]))
    throw new ConfigError('The 64-byte secret key’s public half does not match its seed');
  const at = getAddressDecoder().decode(publicKey);
  return {
    address: at,
    sign: (transaction) => signEd25519(privateKey, transaction.messageBytes),
  };
}
