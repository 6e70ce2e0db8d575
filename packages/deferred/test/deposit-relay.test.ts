/**
 * Relayed deposits (the facilitator's opt-in `relayDeposits`): a deposit payload is simulated at
 * verify and sent at settle, then its voucher is committed; a settle repeated, or one after the
 * deposit already landed, sends nothing more; an expiring authorization is refused at verify.
 */
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import { type EvmTestChain, startEvmTestChain } from '@x402-rails/testkit/anvil';
import { createWalletClient, http } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escrowAbi } from '../src/escrow-abi.js';
import { depositArgs } from '../src/escrow-calls.js';
import { DepositRelayReason } from '../src/facilitator/deposit-relay.js';
import { parseBatchSettlementPayload } from '../src/parse.js';
import { createVoucherPayload } from '../src/voucher-payload.js';
import { newBuyer, openShop, PRICE, type Shop, URL } from './roles-rig.js';

let chain: EvmTestChain;
let shop: Shop;

beforeAll(async () => {
  chain = await startEvmTestChain();
  const escrows = await chain.deployDeferredEscrow();
  const relayer = await chain.newWallet({ eth: 10n ** 19n });
  shop = await openShop(chain, escrows, {
    networks: [
      {
        network: chain.network,
        escrow: escrows.escrow,
        client: chain.publicClient,
        relayDeposits: {
          collector: escrows.collector,
          wallet: createWalletClient({
            chain: chain.chain,
            transport: http(chain.rpcUrl),
            account: relayer.account,
          }),
          client: chain.publicClient,
        },
      },
    ],
  });
});

afterAll(async () => {
  await chain?.stop();
});

/** A payer with no channel yet, its first payment: a gasless deposit plus the voucher. */
async function firstPayment(deposit: bigint, validForSeconds = 3600) {
  const buyer = await newBuyer(shop, 0n);
  const authorization = await shop.h.signDepositAuthorization(buyer.account, buyer.config, deposit);
  const voucher = await createVoucherPayload(buyer.account, {
    config: buyer.config,
    charged: 0n,
    price: PRICE,
    domain: shop.h.domain,
  });
  const validBefore = BigInt(Math.floor(Date.now() / 1000) + validForSeconds).toString();
  const payload: PaymentPayload = {
    x402Version: 2,
    resource: { url: URL },
    accepted: buyer.requirements,
    payload: {
      type: 'deposit',
      channelConfig: buyer.config,
      voucher: voucher.voucher,
      deposit: {
        amount: deposit.toString(),
        authorization: {
          erc3009Authorization:
            validForSeconds === 3600 ? authorization : { ...authorization, validBefore },
        },
      },
    },
  };
  return { buyer, payload, requirements: buyer.requirements as PaymentRequirements };
}

describe('relayed deposits', () => {
  it('verify reserves without a transaction; settle deposits once, then commits the voucher', async () => {
    const { buyer, payload, requirements } = await firstPayment(100_000n);
    const block = await chain.publicClient.getBlockNumber();
    expect(await shop.facilitator.verify(payload, requirements)).toMatchObject({ isValid: true });
    expect(await chain.publicClient.getBlockNumber()).toBe(block);
    expect((await shop.ledger.get(buyer.channelId))?.pending?.maxClaimableAmount).toBe(PRICE);

    const settled = await shop.facilitator.settle(payload, requirements);
    expect(settled).toMatchObject({
      success: true,
      transaction: `${buyer.channelId}:${PRICE}`,
      extra: { chargedAmount: PRICE.toString(), depositTransaction: expect.any(String) },
    });
    expect(await chain.publicClient.getBlockNumber()).toBe(block + 1n);
    expect(await shop.h.channel(buyer.config)).toEqual({ balance: 100_000n, totalClaimed: 0n });
    expect((await shop.ledger.get(buyer.channelId))?.charged).toBe(PRICE);

    // Again: nothing is sent, nothing charged twice.
    expect(await shop.facilitator.settle(payload, requirements)).toMatchObject({
      success: false,
      errorReason: 'payment_already_used',
    });
    expect(await chain.publicClient.getBlockNumber()).toBe(block + 1n);
    expect(await shop.h.channel(buyer.config)).toEqual({ balance: 100_000n, totalClaimed: 0n });
  });

  it('a deposit that already landed (an interrupted settle) is not sent again', async () => {
    const { buyer, payload, requirements } = await firstPayment(50_000n);
    expect((await shop.facilitator.verify(payload, requirements)).isValid).toBe(true);
    // The deposit reached the chain, but its settle never recorded it.
    const parsed = parseBatchSettlementPayload(payload.payload);
    if (parsed.type !== 'deposit') throw new Error('expected a deposit');
    await shop.h.confirm(
      await shop.h.clientOf(chain.deployer.account).writeContract({
        address: shop.h.escrow,
        abi: escrowAbi,
        functionName: 'deposit',
        args: depositArgs(parsed, shop.h.collector),
      }),
    );
    const block = await chain.publicClient.getBlockNumber();
    const settled = await shop.facilitator.settle(payload, requirements);
    expect(settled).toMatchObject({ success: true, transaction: `${buyer.channelId}:${PRICE}` });
    expect(settled.extra?.['depositTransaction']).toBeUndefined();
    expect(await chain.publicClient.getBlockNumber()).toBe(block);
    expect(await shop.h.channel(buyer.config)).toEqual({ balance: 50_000n, totalClaimed: 0n });
  });

  it('refuses an authorization about to expire, and one the payer cannot fund, without reserving', async () => {
    const expiring = await firstPayment(50_000n, 2);
    expect(await shop.facilitator.verify(expiring.payload, expiring.requirements)).toMatchObject({
      isValid: false,
      invalidReason: DepositRelayReason.validBefore,
    });
    expect(await shop.ledger.get(expiring.buyer.channelId)).toBeUndefined();

    // newBuyer funds 10 USDC more than the deposit it makes (0 here): 20 USDC is beyond it.
    const unfunded = await firstPayment(20_000_000n);
    const block = await chain.publicClient.getBlockNumber();
    expect(await shop.facilitator.verify(unfunded.payload, unfunded.requirements)).toMatchObject({
      isValid: false,
      invalidReason: DepositRelayReason.simulationFailed,
    });
    expect(await shop.facilitator.settle(unfunded.payload, unfunded.requirements)).toMatchObject({
      success: false,
    });
    expect(await chain.publicClient.getBlockNumber()).toBe(block);
    expect(await shop.ledger.get(unfunded.buyer.channelId)).toBeUndefined();
  });
});
