/** Every accepted key input names the same key, and signs what the facilitator verifies. */
import {
  type Blockhash,
  compileTransaction,
  createKeyPairSignerFromBytes,
  createTransactionMessage,
  getBase58Decoder,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
} from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { verifyEd25519 } from './ed25519.js';
import { createSolanaKey } from './keys.js';

describe('Solana key inputs', () => {
  it('accepts a 64-byte secret key, a keygen array (numbers or JSON), a seed, base58 and a kit signer', async () => {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const fromSeed = createSolanaKey(seed);
    const publicKey = Buffer.from(
      (await import('@solana/kit')).getAddressEncoder().encode(fromSeed.address),
    );
    const secretKey = Uint8Array.from([...seed, ...publicKey]); // web3.js v1 Keypair.secretKey
    const base58 = getBase58Decoder();
    const inputs = [
      secretKey,
      [...secretKey],
      JSON.stringify([...secretKey]),
      base58.decode(secretKey),
      base58.decode(seed),
      await createKeyPairSignerFromBytes(secretKey),
    ];
    for (const input of inputs) expect(createSolanaKey(input).address).toBe(fromSeed.address);

    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayer(fromSeed.address, m),
      (m) =>
        setTransactionMessageLifetimeUsingBlockhash(
          { blockhash: fromSeed.address as unknown as Blockhash, lastValidBlockHeight: 1n },
          m,
        ),
    );
    const tx = compileTransaction(message);
    for (const input of inputs) {
      const signature = await createSolanaKey(input).sign(tx);
      expect(verifyEd25519(fromSeed.address, signature, tx.messageBytes)).toBe(true);
    }
  });

  it('refuses keys of the wrong length, mismatched halves and non-keys', () => {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const other = crypto.getRandomValues(new Uint8Array(32));
    expect(() => createSolanaKey(new Uint8Array(31))).toThrow(/64 bytes/);
    expect(() => createSolanaKey(Uint8Array.from([...seed, ...other]))).toThrow(/does not match/);
    expect(() => createSolanaKey('[1,2,300]')).toThrow(/bytes/);
    expect(() => createSolanaKey('0OIl')).toThrow();
    expect(() => createSolanaKey({} as never)).toThrow();
  });
});
