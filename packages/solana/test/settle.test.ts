/**
 * Payment flows on the local LiteSVM RPC: success, insufficient funds, a missing destination
 * account, wrong decimals, an expired blockhash, replay, concurrent settles (in one facilitator and
 * across two sharing a settlement journal), the fee-payer slot, and a settlement left pending.
 */

import { getBase64Decoder, getBase64Encoder } from '@solana/kit';
import { createMemorySettlementJournal, type PaymentPayload } from '@x402-rails/core';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSolanaExactClient } from '../src/client.js';
import { exactSvmPaymentId, SolanaReason } from '../src/index.js';
import { type Rig, rig } from './helpers.js';

let r: Rig;
beforeAll(async () => {
  r = await rig();
});
afterAll(() => r.close());

const transactionOf = (p: PaymentPayload) => (p.payload as { transaction: string }).transaction;

describe('settling exact-SVM payments on LiteSVM', () => {
  it('verifies, settles, moves exactly the amount and charges the fee payer the fees', async () => {
    const payload = await r.pay();
    const before = {
      payer: await r.chain.tokenBalanceOf(r.payer.address),
      merchant: await r.chain.tokenBalanceOf(r.merchant.address),
      payerSol: r.chain.solBalanceOf(r.payer.address),
      feeSol: r.chain.solBalanceOf(r.feePayer.address),
    };
    expect(await r.facilitator.verify(payload, r.requirements)).toEqual({
      isValid: true,
      payer: r.payer.address,
    });
    const settled = await r.facilitator.settle(payload, r.requirements);
    expect(settled).toMatchObject({
      success: true,
      network: r.network.id,
      payer: r.payer.address,
      amount: '10000',
    });
    expect(settled.transaction).toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    expect(await r.chain.tokenBalanceOf(r.payer.address)).toBe(before.payer - 10_000n);
    expect(await r.chain.tokenBalanceOf(r.merchant.address)).toBe(before.merchant + 10_000n);
    expect(r.chain.solBalanceOf(r.payer.address)).toBe(before.payerSol);
    expect(r.chain.solBalanceOf(r.feePayer.address)).toBeLessThan(before.feeSol);
  });

  it('refuses a payer without enough tokens (insufficient_funds), moving nothing', async () => {
    const poor = await r.chain.newWallet({ usdc: 5n });
    const client = createSolanaExactClient({ signer: poor.secretKey, networks: [r.network] });
    const payload = await r.pay(r.requirements, client);
    expect(await r.facilitator.verify(payload, r.requirements)).toMatchObject({
      isValid: false,
      invalidReason: SolanaReason.insufficientFunds,
    });
    expect(await r.facilitator.settle(payload, r.requirements)).toMatchObject({
      success: false,
      errorReason: SolanaReason.insufficientFunds,
    });
    expect(await r.chain.tokenBalanceOf(poor.address)).toBe(5n);
  });

  it('refuses a payTo without a token account (destination missing)', async () => {
    const fresh = await r.chain.newWallet({ sol: 0n });
    const req = { ...r.requirements, payTo: fresh.address };
    const payload = await r.pay(req);
    expect(await r.facilitator.verify(payload, req)).toMatchObject({
      isValid: false,
      invalidReason: SolanaReason.destinationMissing,
    });
    expect((await r.facilitator.settle(payload, req)).errorReason).toBe(
      SolanaReason.destinationMissing,
    );
  });

  it('refuses a TransferChecked with the wrong decimals', async () => {
    const wrong = createSolanaExactClient({
      signer: r.payer.secretKey,
      networks: [{ ...r.network, usdc: { address: r.chain.usdc, decimals: 9 } }],
    });
    const payload = await r.pay(r.requirements, wrong);
    expect(await r.facilitator.verify(payload, r.requirements)).toMatchObject({
      isValid: false,
      invalidReason: SolanaReason.decimalsMismatch,
    });
  });

  it('refuses a payment whose blockhash expired', async () => {
    const payload = await r.pay();
    r.chain.expireBlockhash();
    expect(await r.facilitator.verify(payload, r.requirements)).toMatchObject({
      isValid: false,
      invalidReason: SolanaReason.blockhashExpired,
    });
    expect((await r.facilitator.settle(payload, r.requirements)).errorReason).toBe(
      SolanaReason.blockhashExpired,
    );
  });

  it('refuses a replay, naming the transaction that settled it', async () => {
    const payload = await r.pay();
    const first = await r.facilitator.settle(payload, r.requirements);
    expect(first.success).toBe(true);
    const elsewhere = r.makeFacilitator(); // another process: no memory of the first settlement
    expect(await elsewhere.settle(payload, r.requirements)).toMatchObject({
      success: false,
      errorReason: SolanaReason.alreadySettled,
      transaction: first.transaction,
    });
    expect((await elsewhere.verify(payload, r.requirements)).invalidReason).toBe(
      SolanaReason.alreadySettled,
    );
    expect(await elsewhere.status?.(payload, r.requirements)).toEqual({
      state: 'settled',
      settlement: first,
    });
  });

  it('settles a payment once under concurrent settles in one facilitator', async () => {
    const payload = await r.pay();
    const before = await r.chain.tokenBalanceOf(r.merchant.address);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        r.facilitator.settle(structuredClone(payload), r.requirements),
      ),
    );
    expect(results.filter((x) => x.success)).toHaveLength(1);
    expect(
      results
        .filter((x) => !x.success)
        .every((x) => x.errorReason === SolanaReason.duplicateSettlement),
    ).toBe(true);
    expect(await r.chain.tokenBalanceOf(r.merchant.address)).toBe(before + 10_000n);
  });

  it('…and across two facilitator engines sharing one settlement journal, whatever the fee-payer slot holds', async () => {
    const journal = createMemorySettlementJournal();
    const a = createFacilitator({ schemes: [r.makeFacilitator()], journal });
    const b = createFacilitator({ schemes: [r.makeFacilitator()], journal });
    const payload = await r.pay();
    const before = await r.chain.tokenBalanceOf(r.merchant.address);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).settle(structuredClone(payload), r.requirements),
      ),
    );
    const wins = results.filter((x) => x.success);
    expect(wins).toHaveLength(1);
    // The same message with other bytes in the fee payer's slot is the same payment: the journal
    // answers with the first settlement and nothing moves again.
    const varied = await a.settle(withFeePayerSlot(payload, 9), r.requirements);
    expect(varied).toEqual(wins[0]);
    expect(await r.chain.tokenBalanceOf(r.merchant.address)).toBe(before + 10_000n);
  });

  it('a facilitator that dies after sending: the next one reconciles through status(), sending nothing', async () => {
    const journal = createMemorySettlementJournal();
    let sent: string | undefined;
    const dying = r.makeFacilitator({
      hooks: {
        afterBroadcast({ transaction }) {
          sent = transaction;
          throw new Error('process killed');
        },
      },
    });
    const first = createFacilitator({ schemes: [dying], journal, settleLeaseMs: 20 });
    const payload = await r.pay();
    const before = await r.chain.tokenBalanceOf(r.merchant.address);
    expect((await first.settle(payload, r.requirements)).success).toBe(false);
    expect(sent).toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    const restarted = createFacilitator({
      schemes: [r.makeFacilitator()],
      journal,
      settleLeaseMs: 20,
    });
    // The dead attempt's lease ends (a condition, not a fixed wait): then it may be taken over.
    while ((await journal.expired(10)).length === 0) await new Promise((go) => setTimeout(go, 5));
    const swept = await restarted.reconcile();
    expect(swept).toEqual([
      {
        key: expect.any(String),
        result: expect.objectContaining({ success: true, transaction: sent }),
      },
    ]);
    expect(await restarted.settle(payload, r.requirements)).toEqual(swept[0]?.result);
    expect(await r.chain.tokenBalanceOf(r.merchant.address)).toBe(before + 10_000n);
  });

  it('gives the same payment id whatever the fee-payer signature slot holds', async () => {
    const payload = await r.pay();
    const varied = withFeePayerSlot(payload, 1);
    expect(transactionOf(varied)).not.toBe(transactionOf(payload));
    expect(exactSvmPaymentId(varied)).toBe(exactSvmPaymentId(payload));
    expect(r.server.paymentId(varied)).toBe(r.facilitator.paymentId?.(payload));
    // A filled slot is refused outright: the client may not sign for the facilitator.
    expect((await r.facilitator.verify(varied, r.requirements)).invalidReason).toBe(
      SolanaReason.feePayerSignaturePresent,
    );
  });

  it('reports a settlement that is not confirmed in time as pending, then settled through status()', async () => {
    const patient = r.makeFacilitator({ confirmTimeoutMs: 50 });
    const payload = await r.pay();
    r.chain.holdTransactions(true);
    let thrown: unknown;
    try {
      await patient.settle(payload, r.requirements);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: SolanaReason.settlementPending });
    const transaction = (thrown as { details: { transaction: string } }).details.transaction;
    expect(await patient.status?.(payload, r.requirements)).toEqual({ state: 'not_found' });
    r.chain.holdTransactions(false);
    expect(r.chain.releaseHeld()).toBe(1);
    const status = await patient.status?.(payload, r.requirements);
    expect(status).toMatchObject({ state: 'settled', settlement: { success: true, transaction } });
  });

  it('a settlement whose transaction can no longer land fails with the expired blockhash', async () => {
    const payload = await r.pay();
    r.chain.holdTransactions(true);
    const settling = r.makeFacilitator({
      hooks: {
        afterBroadcast() {
          // The held transaction is dropped and its blockhash expires: it can never land.
          r.chain.holdTransactions(false);
          r.chain.expireBlockhash();
        },
      },
    });
    const result = await settling.settle(payload, r.requirements);
    r.chain.releaseHeld();
    expect(result).toMatchObject({ success: false, errorReason: SolanaReason.blockhashExpired });
  });
});

/** The same payment with other bytes in the fee payer's (first) signature slot. */
function withFeePayerSlot(payload: PaymentPayload, fill: number): PaymentPayload {
  const bytes = Uint8Array.from(getBase64Encoder().encode(transactionOf(payload)));
  bytes.fill(fill, 1, 65); // byte 0 is the signature count; the fee payer's slot follows
  return { ...payload, payload: { transaction: getBase64Decoder().decode(bytes) } };
}
