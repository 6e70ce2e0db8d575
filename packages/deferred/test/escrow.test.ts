/**
 * The escrow on Anvil: deposits both ways, batch claims, replays, caps, the withdrawal delay,
 * signature rules (high s, wrong signer, EIP-1271) — and the TypeScript verifier agreeing with it.
 */
import { type EvmTestChain, startEvmTestChain } from '@x402-rails/testkit/anvil';
import type { Address, LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escrowAbi } from '../src/escrow-abi.js';
import { channelConfigArg } from '../src/escrow-calls.js';
import type { ChannelConfig, VoucherFields } from '../src/payload.js';
import { DeferredReason } from '../src/reasons.js';
import {
  signVoucher,
  verifyVoucherSignature,
  verifyVoucherSignatureOnChain,
} from '../src/voucher.js';
import { escrowHarness, ZERO_ADDRESS } from './helpers.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

let chain: EvmTestChain;
let h: ReturnType<typeof escrowHarness>;

beforeAll(async () => {
  chain = await startEvmTestChain();
  const { escrow, collector } = await chain.deployDeferredEscrow();
  h = escrowHarness(chain, escrow, collector);
});

afterAll(async () => {
  await chain?.stop();
});

const newReceiver = (): Address => privateKeyToAddress(generatePrivateKey());

async function fundedPayer(usdc = 10_000_000n): Promise<LocalAccount> {
  return (await chain.newWallet({ usdc })).account;
}

/** A funded channel from `payer` to `receiver` holding `deposit`. */
async function openChannel(payer: LocalAccount, receiver: Address, deposit: bigint) {
  const config = h.config(payer.address, receiver);
  await h.depositApproved(payer, config, deposit);
  return config;
}

const voucher = (payer: LocalAccount, config: ChannelConfig, amount: bigint) =>
  signVoucher(payer, { config, maxClaimableAmount: amount, domain: h.domain });

describe('deposits', () => {
  it('credits a deposit pulled after an approve', async () => {
    const payer = await fundedPayer();
    const config = h.config(payer.address, newReceiver());
    const receipt = await h.depositApproved(payer, config, 3_000_000n);
    expect(await h.channel(config)).toEqual({ balance: 3_000_000n, totalClaimed: 0n });
    expect(await chain.balanceOf(payer.address)).toBe(7_000_000n);
    const [event] = h.events(receipt).filter((e) => e.eventName === 'Deposited');
    expect(event?.args).toMatchObject({
      channelId: h.channelId(config),
      amount: 3_000_000n,
      balance: 3_000_000n,
    });
  });

  it('credits a gasless deposit: the payer only signs a ReceiveWithAuthorization', async () => {
    const payer = (await chain.newWallet({ usdc: 5_000_000n, eth: 0n })).account;
    const config = h.config(payer.address, newReceiver());
    const authorization = await h.signDepositAuthorization(payer, config, 2_000_000n);
    const receipt = await h.depositGasless(config, 2_000_000n, authorization);
    expect(await h.channel(config)).toEqual({ balance: 2_000_000n, totalClaimed: 0n });
    expect(await chain.balanceOf(payer.address)).toBe(3_000_000n);
    expect(await chain.balanceOf(h.collector)).toBe(0n);
    expect(h.events(receipt).map((e) => e.eventName)).toContain('Deposited');
    // The same authorization cannot fund the channel twice ...
    await expect(h.depositGasless(config, 2_000_000n, authorization)).rejects.toThrow();
    // ... nor another channel (its nonce binds the channel id).
    const other = { ...config, salt: generatePrivateKey() };
    await expect(h.depositGasless(other, 2_000_000n, authorization)).rejects.toThrow();
    expect(await h.channel(config)).toEqual({ balance: 2_000_000n, totalClaimed: 0n });
  });

  it('lets only the escrow use the collector', async () => {
    const payer = await fundedPayer();
    const config = h.config(payer.address, newReceiver());
    const authorization = await h.signDepositAuthorization(payer, config, 1_000_000n);
    const { erc3009CollectorData } = await import('../src/escrow-calls.js');
    await expect(
      h.clientOf(chain.deployer.account).writeContract({
        address: h.collector,
        abi: h.collectorAbi,
        functionName: 'collect',
        args: [
          payer.address,
          chain.token,
          1_000_000n,
          h.channelId(config),
          erc3009CollectorData(authorization),
        ],
      }),
    ).rejects.toThrow(/caller is not the escrow/);
    expect(await chain.balanceOf(payer.address)).toBe(10_000_000n);
  });

  it('refuses a withdrawal delay out of range, and a zero deposit', async () => {
    const payer = await fundedPayer();
    await expect(
      h.depositApproved(payer, h.config(payer.address, newReceiver(), { withdrawDelay: 899 }), 1n),
    ).rejects.toThrow(/withdraw delay out of range/);
    await expect(
      h.depositApproved(payer, h.config(payer.address, newReceiver()), 0n),
    ).rejects.toThrow(/unexpected amount received/);
  });
});

describe('claim', () => {
  it('redeems N channels in one transaction paying exactly the sum of their vouchers', async () => {
    const receiver = newReceiver();
    const prices = [1_000n, 2_500n, 40_000n, 7n, 123_456n];
    const claims: { config: ChannelConfig; voucher: VoucherFields }[] = [];
    for (const price of prices) {
      const payer = await fundedPayer();
      const config = await openChannel(payer, receiver, 1_000_000n);
      // Three requests served on the channel: the last voucher carries the cumulative 3 × price.
      claims.push({ config, voucher: await voucher(payer, config, 3n * price) });
    }
    const receipt = await h.claim(claims);
    const sum = prices.reduce((a, p) => a + 3n * p, 0n);
    expect(await chain.balanceOf(receiver)).toBe(sum);
    const claimed = h.events(receipt).filter((e) => e.eventName === 'Claimed');
    expect(claimed).toHaveLength(prices.length);
    for (const [i, { config }] of claims.entries()) {
      expect(await h.channel(config)).toEqual({
        balance: 1_000_000n,
        totalClaimed: 3n * prices[i]!,
      });
    }
  });

  it('pays nothing for a replayed or stale voucher, then only the difference', async () => {
    const payer = await fundedPayer();
    const receiver = newReceiver();
    const config = await openChannel(payer, receiver, 1_000_000n);
    const first = await voucher(payer, config, 300n);
    const stale = await voucher(payer, config, 200n);
    await h.claim([{ config, voucher: first }]);
    expect(await chain.balanceOf(receiver)).toBe(300n);
    const replay = await h.claim([
      { config, voucher: first },
      { config, voucher: stale },
    ]);
    expect(h.events(replay)).toEqual([]);
    expect(await chain.balanceOf(receiver)).toBe(300n);
    await h.claim([{ config, voucher: await voucher(payer, config, 450n) }]);
    expect(await chain.balanceOf(receiver)).toBe(450n);
    expect(await h.channel(config)).toEqual({ balance: 1_000_000n, totalClaimed: 450n });
  });

  it('caps a voucher above the balance at the balance, and pays the rest after a top-up', async () => {
    const payer = await fundedPayer();
    const receiver = newReceiver();
    const config = await openChannel(payer, receiver, 1_000n);
    const big = await voucher(payer, config, 1_500n);
    await h.claim([{ config, voucher: big }]);
    expect(await chain.balanceOf(receiver)).toBe(1_000n);
    await h.depositApproved(payer, config, 1_000n);
    await h.claim([{ config, voucher: big }]);
    expect(await chain.balanceOf(receiver)).toBe(1_500n);
    expect(await h.channel(config)).toEqual({ balance: 2_000n, totalClaimed: 1_500n });
  });

  it('skips a high-s or wrong-signer voucher without blocking the rest of the batch', async () => {
    const payer = await fundedPayer();
    const receiver = newReceiver();
    const config = await openChannel(payer, receiver, 1_000_000n);
    const good = await voucher(payer, config, 100n);
    const s = BigInt(`0x${good.signature.slice(66, 130)}`);
    const v = Number.parseInt(good.signature.slice(130, 132), 16);
    const highS = {
      ...good,
      signature:
        `${good.signature.slice(0, 66)}${(N - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as `0x${string}`,
    };
    const stranger = privateKeyToAccount(generatePrivateKey());
    const forged = await voucher(stranger, config, 100n);
    const other = await fundedPayer();
    const otherConfig = await openChannel(other, receiver, 1_000_000n);
    const fine = await voucher(other, otherConfig, 70n);

    // Our verifier refuses what the escrow refuses.
    expect(verifyVoucherSignature({ config, voucher: highS, domain: h.domain })).toEqual({
      ok: false,
      reason: DeferredReason.voucherSignatureHighS,
    });
    expect(verifyVoucherSignature({ config, voucher: forged, domain: h.domain }).ok).toBe(false);

    const receipt = await h.claim([
      { config, voucher: highS },
      { config, voucher: forged },
      { config: otherConfig, voucher: fine },
    ]);
    const events = h.events(receipt);
    expect(events.filter((e) => e.eventName === 'ClaimSkipped')).toHaveLength(2);
    expect(events.filter((e) => e.eventName === 'Claimed')).toHaveLength(1);
    expect(await chain.balanceOf(receiver)).toBe(70n);
    expect(await h.channel(config)).toEqual({ balance: 1_000_000n, totalClaimed: 0n });
  });

  it('accepts a voucher signed for an EIP-1271 contract wallet payer', async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const wallet = await chain.deployContractWallet(owner.address);
    const receiver = newReceiver();
    // The wallet is the payer and, with a zero payer authorizer, the voucher signer.
    const config = h.config(wallet, receiver, { payerAuthorizer: ZERO_ADDRESS });
    await h.depositApproved(await fundedPayer(), config, 5_000n);
    const byOwner = await voucher(owner, config, 1_200n);
    const byStranger = await voucher(privateKeyToAccount(generatePrivateKey()), config, 1_200n);

    expect(
      await verifyVoucherSignatureOnChain(chain.publicClient, {
        config,
        voucher: byOwner,
        domain: h.domain,
      }),
    ).toMatchObject({ ok: true, signer: wallet.toLowerCase() });
    expect(
      await verifyVoucherSignatureOnChain(chain.publicClient, {
        config,
        voucher: byStranger,
        domain: h.domain,
      }),
    ).toEqual({ ok: false, reason: DeferredReason.voucherSignature });

    const refused = await h.claim([{ config, voucher: byStranger }]);
    expect(h.events(refused).map((e) => e.eventName)).toEqual(['ClaimSkipped']);
    await h.claim([{ config, voucher: byOwner }]);
    expect(await chain.balanceOf(receiver)).toBe(1_200n);
  });
});

describe('withdrawal', () => {
  it('lets the receiver claim during the delay and the payer withdraw the rest after it', async () => {
    const payer = await fundedPayer(1_000_000n);
    const receiver = newReceiver();
    const config = await openChannel(payer, receiver, 1_000_000n);
    const wallet = h.clientOf(payer);
    const send = async (functionName: 'initiateWithdraw' | 'finalizeWithdraw') =>
      h.confirm(
        functionName === 'initiateWithdraw'
          ? await wallet.writeContract({
              address: h.escrow,
              abi: escrowAbi,
              functionName,
              args: [channelConfigArg(config), 1_000_000n],
            })
          : await wallet.writeContract({
              address: h.escrow,
              abi: escrowAbi,
              functionName,
              args: [channelConfigArg(config)],
            }),
      );

    // Only the payer may start it.
    await expect(
      h.clientOf(chain.deployer.account).writeContract({
        address: h.escrow,
        abi: escrowAbi,
        functionName: 'initiateWithdraw',
        args: [channelConfigArg(config), 1n],
      }),
    ).rejects.toThrow(/caller is not the payer/);

    const started = await send('initiateWithdraw');
    expect(h.events(started).map((e) => e.eventName)).toEqual(['WithdrawInitiated']);
    await expect(send('finalizeWithdraw')).rejects.toThrow(/withdrawal delay not over/);

    // During the delay the receiver still collects what it is owed.
    await h.claim([{ config, voucher: await voucher(payer, config, 250_000n) }]);
    expect(await chain.balanceOf(receiver)).toBe(250_000n);

    await chain.increaseTime(900);
    const finished = await send('finalizeWithdraw');
    const [withdrawn] = h.events(finished).filter((e) => e.eventName === 'Withdrawn');
    expect(withdrawn?.args.amount).toBe(750_000n);
    expect(await chain.balanceOf(payer.address)).toBe(750_000n);
    expect(await h.channel(config)).toEqual({ balance: 250_000n, totalClaimed: 250_000n });

    // Nothing is left to claim, whatever the voucher says.
    const late = await h.claim([{ config, voucher: await voucher(payer, config, 900_000n) }]);
    expect(h.events(late)).toEqual([]);
    expect(await chain.balanceOf(receiver)).toBe(250_000n);
    await expect(send('finalizeWithdraw')).rejects.toThrow(/no withdrawal pending/);
  });
});
