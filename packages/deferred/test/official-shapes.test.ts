/**
 * The escrow at the official binding's canonical addresses (placed with anvil_setCode): the
 * official @x402/evm client's deposit payload funds a channel through our collector, its vouchers
 * are claimable, and its client reads our `channels()` to resume a funded channel with a plain
 * voucher. This is the contract-level half of interop; the server half comes with the server role.
 */
import { toClientEvmSigner } from '@x402/evm';
import {
  BatchSettlementEvmScheme,
  createBatchSettlementEIP3009DepositPayload,
} from '@x402/evm/batch-settlement/client';
import { type EvmTestChain, startEvmTestChain } from '@x402-rails/testkit/anvil';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
  OFFICIAL_ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
} from '../src/constants.js';
import { escrowAbi } from '../src/escrow-abi.js';
import { depositArgs } from '../src/escrow-calls.js';
import { parseBatchSettlementPayload } from '../src/parse.js';
import { verifyVoucherSignature } from '../src/voucher.js';
import { escrowHarness } from './helpers.js';

let chain: EvmTestChain;
let h: ReturnType<typeof escrowHarness>;

beforeAll(async () => {
  chain = await startEvmTestChain();
  const { escrow, collector } = await chain.deployDeferredEscrow({
    at: {
      escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
      collector: OFFICIAL_ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
    },
  });
  h = escrowHarness(chain, escrow, collector);
});

afterAll(async () => {
  await chain?.stop();
});

const requirementsFor = (receiver: `0x${string}`, amount: string) => ({
  scheme: 'batch-settlement',
  network: chain.network,
  asset: chain.token,
  amount,
  payTo: receiver,
  maxTimeoutSeconds: 300,
  extra: { name: 'USD Coin', version: '2', receiverAuthorizer: receiver, withdrawDelay: 900 },
});

it("takes the official client's deposit payload and claims its voucher", async () => {
  const payer = (await chain.newWallet({ usdc: 5_000_000n, eth: 0n })).account;
  const receiver = privateKeyToAddress(generatePrivateKey());
  const config = h.config(payer.address, receiver);
  const result = await createBatchSettlementEIP3009DepositPayload(
    payer,
    2,
    requirementsFor(receiver, '1000'),
    config,
    '2000000',
    '1000',
  );
  const payload = parseBatchSettlementPayload(result.payload);
  if (payload.type !== 'deposit') throw new Error('expected a deposit payload');
  expect(verifyVoucherSignature({ config, voucher: payload.voucher, domain: h.domain }).ok).toBe(
    true,
  );
  await h.confirm(
    await h.clientOf(chain.deployer.account).writeContract({
      address: h.escrow,
      abi: escrowAbi,
      functionName: 'deposit',
      args: depositArgs(payload, OFFICIAL_ERC3009_DEPOSIT_COLLECTOR_ADDRESS),
    }),
  );
  expect(await h.channel(config)).toEqual({ balance: 2_000_000n, totalClaimed: 0n });
  await h.claim([{ config, voucher: payload.voucher }]);
  expect(await chain.balanceOf(receiver)).toBe(1000n);
});

it('lets the official client resume a funded channel from our channels() with a voucher', async () => {
  const payer = (await chain.newWallet({ usdc: 5_000_000n })).account;
  const receiver = privateKeyToAddress(generatePrivateKey());
  const salt = generatePrivateKey();
  const signer = toClientEvmSigner(payer, chain.publicClient);
  const client = new BatchSettlementEvmScheme(signer, { salt });
  const requirements = requirementsFor(receiver, '500');
  const config = client.buildChannelConfig(requirements);
  expect(config.salt).toBe(salt);
  await h.depositApproved(payer, config, 10_000n);

  const result = await client.createPaymentPayload(2, requirements);
  const payload = parseBatchSettlementPayload(result.payload);
  expect(payload.type).toBe('voucher');
  expect(payload.voucher.maxClaimableAmount).toBe('500');
  expect(verifyVoucherSignature({ config, voucher: payload.voucher, domain: h.domain }).ok).toBe(
    true,
  );
  await h.claim([{ config, voucher: payload.voucher }]);
  expect(await chain.balanceOf(receiver)).toBe(500n);
});
