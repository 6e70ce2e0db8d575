/**
 * The facilitator's static rules, one table row per reason: each row breaks one rule of an
 * otherwise valid payment and expects that rule's reason (no chain: `verifyOffchain`).
 */

import {
  AccountRole,
  type Address,
  appendTransactionMessageInstructions,
  type Blockhash,
  compileTransaction,
  compressTransactionMessageUsingAddressLookupTables,
  createNoopSigner,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  type Instruction,
  pipe,
  type SignatureBytes,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  type Transaction,
} from '@solana/kit';
import {
  getSetComputeUnitLimitInstruction,
  getSetComputeUnitPriceInstruction,
} from '@solana-program/compute-budget';
import {
  findAssociatedTokenPda,
  getTransferCheckedInstruction,
  getTransferInstruction,
} from '@solana-program/token';
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSolanaKey, type SolanaKey } from '../keys.js';
import {
  LIGHTHOUSE_PROGRAM,
  MEMO_PROGRAM,
  TOKEN_2022_PROGRAM,
  TOKEN_PROGRAM,
} from '../programs.js';
import { SolanaReason } from '../reasons.js';
import { createSolanaExactFacilitator } from './rail.js';

const NETWORK = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
const BLOCKHASH = 'CmpNeggWJ4JaWJeJ8YKN1Zypmk7uvQq3PECGUCAEMbky' as Blockhash;
const key = () => createSolanaKey(crypto.getRandomValues(new Uint8Array(32)));

let feePayer: SolanaKey;
let payer: SolanaKey;
let stranger: SolanaKey;
let merchant: Address;
let mint: Address;
let source: Address;
let destination: Address;
let requirements: PaymentRequirements;

interface Build {
  version?: 0 | 'legacy';
  payerOfFees?: Address;
  instructions?: (defaults: Instruction[]) => Instruction[];
  lookupTable?: boolean;
  /** Keys that sign besides the payer (those the instructions name as signers). */
  alsoSign?: SolanaKey[];
  fillFeePayerSlot?: boolean;
  corruptPayerSignature?: boolean;
}

function memo(text: string | Uint8Array, accounts: Instruction['accounts'] = []): Instruction {
  const data = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return { programAddress: MEMO_PROGRAM, accounts, data };
}

function transfer(
  over: Partial<{
    source: Address;
    mint: Address;
    destination: Address;
    amount: bigint;
    authority: Address | SolanaKey;
    program: Address;
  }> = {},
) {
  const authority = over.authority ?? payer;
  return getTransferCheckedInstruction(
    {
      source: over.source ?? source,
      mint: over.mint ?? mint,
      destination: over.destination ?? destination,
      authority: typeof authority === 'string' ? authority : createNoopSigner(authority.address),
      amount: over.amount ?? 10_000n,
      decimals: 6,
    },
    { programAddress: over.program ?? TOKEN_PROGRAM },
  ) as Instruction;
}

function defaults(): Instruction[] {
  return [
    getSetComputeUnitLimitInstruction({ units: 20_000 }),
    getSetComputeUnitPriceInstruction({ microLamports: 1n }),
    transfer(),
    memo('00112233445566778899aabbccddeeff'),
  ];
}

async function build(b: Build = {}): Promise<string> {
  const instructions = b.instructions ? b.instructions(defaults()) : defaults();
  let message = pipe(
    createTransactionMessage({ version: b.version ?? 0 }),
    (m) => setTransactionMessageFeePayer(b.payerOfFees ?? feePayer.address, m),
    (m) =>
      setTransactionMessageLifetimeUsingBlockhash(
        { blockhash: BLOCKHASH, lastValidBlockHeight: 1n },
        m,
      ),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  if (b.lookupTable)
    message = compressTransactionMessageUsingAddressLookupTables(message as never, {
      [stranger.address]: [destination],
    }) as typeof message;
  const tx = compileTransaction(message) as Transaction;
  const signatures: Record<string, SignatureBytes | null> = { ...tx.signatures };
  for (const k of [payer, ...(b.alsoSign ?? [])])
    if (k.address in signatures) signatures[k.address] = (await k.sign(tx)) as SignatureBytes;
  if (b.corruptPayerSignature) {
    const bad = Uint8Array.from(signatures[payer.address] as Uint8Array);
    bad[0] = (bad[0] ?? 0) ^ 0xff;
    signatures[payer.address] = bad as SignatureBytes;
  }
  if (b.fillFeePayerSlot)
    signatures[feePayer.address] = new Uint8Array(64).fill(7) as SignatureBytes;
  return getBase64EncodedWireTransaction({ ...tx, signatures } as Transaction);
}

function payment(transaction: unknown, req = requirements): PaymentPayload {
  return { x402Version: 2, accepted: req, payload: { transaction } };
}

const facilitator = () =>
  createSolanaExactFacilitator({
    // verifyOffchain never calls the RPC.
    networks: [{ id: NETWORK, rpcUrl: 'http://127.0.0.1:9' }],
    signers: [Uint8Array.from(feePayerSeed)],
  });
let feePayerSeed: Uint8Array;

beforeAll(async () => {
  feePayerSeed = crypto.getRandomValues(new Uint8Array(32));
  feePayer = createSolanaKey(feePayerSeed);
  payer = key();
  stranger = key();
  merchant = key().address;
  mint = key().address;
  [source] = await findAssociatedTokenPda({
    owner: payer.address,
    mint,
    tokenProgram: TOKEN_PROGRAM,
  });
  [destination] = await findAssociatedTokenPda({
    owner: merchant,
    mint,
    tokenProgram: TOKEN_PROGRAM,
  });
  requirements = {
    scheme: 'exact',
    network: NETWORK,
    amount: '10000',
    asset: mint,
    payTo: merchant,
    maxTimeoutSeconds: 60,
    extra: { feePayer: feePayer.address },
  };
});

describe('static rules of the exact-SVM facilitator', () => {
  it('accepts a valid payment (and the same layout on Token-2022, with Lighthouse and memos)', async () => {
    const f = facilitator();
    expect(await f.verifyOffchain(payment(await build()), requirements)).toEqual({
      isValid: true,
      payer: payer.address,
    });
    const [src22] = await findAssociatedTokenPda({
      owner: payer.address,
      mint,
      tokenProgram: TOKEN_2022_PROGRAM,
    });
    const [dst22] = await findAssociatedTokenPda({
      owner: merchant,
      mint,
      tokenProgram: TOKEN_2022_PROGRAM,
    });
    const tx = await build({
      instructions: ([a, b]) => [
        a as Instruction,
        b as Instruction,
        transfer({ source: src22, destination: dst22, program: TOKEN_2022_PROGRAM }),
        { programAddress: LIGHTHOUSE_PROGRAM, data: new Uint8Array([1]) },
        memo('a'),
        memo('b'),
      ],
    });
    expect((await f.verifyOffchain(payment(tx), requirements)).isValid).toBe(true);
  });

  it('accepts a compute-unit price at the cap and refuses one above it (the cap is enforced on the price field)', async () => {
    const atCap = await build({
      instructions: ([a, , c, d]) =>
        [
          a,
          getSetComputeUnitPriceInstruction({ microLamports: 5_000_000n }),
          c,
          d,
        ] as Instruction[],
    });
    expect((await facilitator().verifyOffchain(payment(atCap), requirements)).isValid).toBe(true);
    const strict = createSolanaExactFacilitator({
      networks: [{ id: NETWORK, rpcUrl: 'http://127.0.0.1:9' }],
      signers: [Uint8Array.from(feePayerSeed)],
      maxComputeUnitPrice: 1_000n,
    });
    expect(await strict.verifyOffchain(payment(atCap), requirements)).toMatchObject({
      isValid: false,
      invalidReason: SolanaReason.computePriceTooHigh,
    });
  });

  const rows: [string, string, () => Promise<{ tx: unknown; req?: PaymentRequirements }>][] = [
    [
      'scheme',
      SolanaReason.invalidScheme,
      async () => ({ tx: await build(), req: { ...requirements, scheme: 'upto' } }),
    ],
    [
      'network',
      SolanaReason.invalidNetwork,
      async () => ({
        tx: await build(),
        req: { ...requirements, network: 'solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z' },
      }),
    ],
    [
      'extra.feePayer missing',
      SolanaReason.missingFeePayer,
      async () => ({ tx: await build(), req: { ...requirements, extra: {} } }),
    ],
    [
      'fee payer not ours',
      SolanaReason.feePayerNotManaged,
      async () => ({
        tx: await build(),
        req: { ...requirements, extra: { feePayer: stranger.address } },
      }),
    ],
    [
      'payload without a transaction',
      SolanaReason.invalidPayloadTransaction,
      async () => ({ tx: 42 }),
    ],
    [
      'bytes that are no transaction',
      SolanaReason.couldNotDecode,
      async () => ({ tx: Buffer.from('not a transaction').toString('base64') }),
    ],
    [
      'legacy message',
      SolanaReason.transactionVersion,
      async () => ({ tx: await build({ version: 'legacy' }) }),
    ],
    [
      'address lookup table',
      SolanaReason.addressLookupTables,
      async () => ({ tx: await build({ lookupTable: true }) }),
    ],
    [
      'another fee payer',
      SolanaReason.feePayerMismatch,
      async () => ({ tx: await build({ payerOfFees: stranger.address }) }),
    ],
    [
      'a third signer',
      SolanaReason.excessiveSigners,
      async () => ({
        tx: await build({
          alsoSign: [stranger],
          instructions: (d) => [
            ...d.slice(0, 3),
            memo('x', [{ address: stranger.address, role: AccountRole.READONLY_SIGNER }]),
          ],
        }),
      }),
    ],
    [
      'fee payer slot filled',
      SolanaReason.feePayerSignaturePresent,
      async () => ({ tx: await build({ fillFeePayerSlot: true }) }),
    ],
    [
      'two instructions',
      SolanaReason.instructionsLength,
      async () => ({ tx: await build({ instructions: (d) => d.slice(1, 3) }) }),
    ],
    [
      'seven instructions',
      SolanaReason.instructionsLength,
      async () => ({
        tx: await build({ instructions: (d) => [...d, memo('1'), memo('2'), memo('3')] }),
      }),
    ],
    [
      'no compute-unit limit first',
      SolanaReason.computeLimitInstruction,
      async () => ({
        tx: await build({ instructions: ([a, b, c, d]) => [b, a, c, d] as Instruction[] }),
      }),
    ],
    [
      'compute-unit limit above the cap',
      SolanaReason.computeLimitTooHigh,
      async () => ({
        tx: await build({
          instructions: ([, b, c, d]) =>
            [getSetComputeUnitLimitInstruction({ units: 1_400_000 }), b, c, d] as Instruction[],
        }),
      }),
    ],
    [
      'no compute-unit price second',
      SolanaReason.computePriceInstruction,
      async () => ({
        tx: await build({ instructions: ([a, , c, d]) => [a, memo('p'), c, d] as Instruction[] }),
      }),
    ],
    [
      'compute-unit price above 5,000,000',
      SolanaReason.computePriceTooHigh,
      async () => ({
        tx: await build({
          instructions: ([a, , c, d]) =>
            [
              a,
              getSetComputeUnitPriceInstruction({ microLamports: 5_000_001n }),
              c,
              d,
            ] as Instruction[],
        }),
      }),
    ],
    [
      'Transfer instead of TransferChecked',
      SolanaReason.noTransferInstruction,
      async () => ({
        tx: await build({
          instructions: ([a, b, , d]) =>
            [
              a,
              b,
              getTransferInstruction({
                source,
                destination,
                authority: createNoopSigner(payer.address),
                amount: 10_000n,
              }),
              d,
            ] as Instruction[],
        }),
      }),
    ],
    [
      'fee payer as the source',
      SolanaReason.feePayerTransferringFunds,
      async () => ({
        tx: await build({
          instructions: ([a, b, , d]) =>
            [a, b, transfer({ source: feePayer.address }), d] as Instruction[],
        }),
      }),
    ],
    [
      'fee payer in a memo’s accounts',
      SolanaReason.feePayerInInstruction,
      async () => ({
        tx: await build({
          instructions: (d) => [
            ...d.slice(0, 3),
            memo('x', [{ address: feePayer.address, role: AccountRole.READONLY }]),
          ],
        }),
      }),
    ],
    [
      'authority not the signer',
      SolanaReason.authorityNotSigner,
      async () => ({
        tx: await build({
          alsoSign: [stranger],
          instructions: ([a, b, , d]) =>
            [
              a,
              b,
              transfer({ authority: stranger.address }),
              memo('s', [{ address: payer.address, role: AccountRole.READONLY_SIGNER }]),
              d,
            ] as Instruction[],
        }),
      }),
    ],
    [
      'unknown fourth instruction',
      SolanaReason.unknownFourthInstruction,
      async () => ({
        tx: await build({
          instructions: (d) => [
            ...d.slice(0, 3),
            { programAddress: stranger.address, data: new Uint8Array([1]) },
          ],
        }),
      }),
    ],
    [
      'unknown fifth instruction',
      SolanaReason.unknownFifthInstruction,
      async () => ({
        tx: await build({ instructions: (d) => [...d, { programAddress: stranger.address }] }),
      }),
    ],
    [
      'unknown sixth instruction',
      SolanaReason.unknownSixthInstruction,
      async () => ({
        tx: await build({
          instructions: (d) => [...d, memo('m'), { programAddress: stranger.address }],
        }),
      }),
    ],
    [
      'memo that is not UTF-8',
      SolanaReason.memoInvalid,
      async () => ({
        tx: await build({
          instructions: (d) => [...d.slice(0, 3), memo(new Uint8Array([0xff, 0xfe]))],
        }),
      }),
    ],
    [
      'two memos where extra.memo asks one',
      SolanaReason.memoCount,
      async () => ({
        tx: await build({ instructions: (d) => [...d.slice(0, 3), memo('inv-1'), memo('inv-1')] }),
        req: { ...requirements, extra: { ...requirements.extra, memo: 'inv-1' } },
      }),
    ],
    [
      'memo other than extra.memo',
      SolanaReason.memoMismatch,
      async () => ({
        tx: await build(),
        req: { ...requirements, extra: { ...requirements.extra, memo: 'inv-1' } },
      }),
    ],
    [
      'another mint',
      SolanaReason.mintMismatch,
      async () => ({
        tx: await build({
          instructions: ([a, b, , d]) =>
            [a, b, transfer({ mint: stranger.address }), d] as Instruction[],
        }),
      }),
    ],
    [
      'another amount',
      SolanaReason.amountMismatch,
      async () => ({
        tx: await build({
          instructions: ([a, b, , d]) => [a, b, transfer({ amount: 9_999n }), d] as Instruction[],
        }),
      }),
    ],
    [
      'another destination',
      SolanaReason.recipientMismatch,
      async () => ({
        tx: await build({
          instructions: ([a, b, , d]) =>
            [a, b, transfer({ destination: source }), d] as Instruction[],
        }),
      }),
    ],
    [
      'a bad payer signature',
      SolanaReason.signatureInvalid,
      async () => ({ tx: await build({ corruptPayerSignature: true }) }),
    ],
  ];

  it.each(rows)('refuses %s with %s', async (_name, reason, make) => {
    const { tx, req } = await make();
    const result = await facilitator().verifyOffchain(
      payment(tx, req ?? requirements),
      req ?? requirements,
    );
    expect(result).toMatchObject({ isValid: false, invalidReason: reason });
  });

  it('has a row for every static reason', () => {
    const covered = new Set(rows.map(([, reason]) => reason));
    covered.add(SolanaReason.computePriceTooHigh);
    const chainOnly = new Set<string>([
      SolanaReason.insufficientFunds,
      SolanaReason.alreadySettled,
      SolanaReason.settlementPending,
      SolanaReason.simulationFailed,
      SolanaReason.transactionFailed,
      SolanaReason.duplicateSettlement,
      SolanaReason.destinationMissing,
      SolanaReason.decimalsMismatch,
      SolanaReason.blockhashExpired,
    ]);
    const missing = Object.values(SolanaReason).filter((r) => !covered.has(r) && !chainOnly.has(r));
    expect(missing).toEqual([]);
  });
});
