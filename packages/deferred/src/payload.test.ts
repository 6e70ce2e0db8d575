import { PayloadDecodeError } from '@x402-rails/core';
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { parseBatchSettlementPayload } from './parse.js';
import { requirementsExtraSchema, settleResponseExtraSchema } from './payload.js';
import { DeferredReason } from './reasons.js';
import { createVoucherPayload } from './voucher-payload.js';

const address = () => privateKeyToAddress(generatePrivateKey());
const payer = privateKeyToAccount(generatePrivateKey());
const config = {
  payer: payer.address,
  payerAuthorizer: payer.address,
  receiver: address(),
  receiverAuthorizer: address(),
  token: address(),
  withdrawDelay: 900,
  salt: generatePrivateKey(),
};
const domain = { chainId: 8453, escrow: address() };

function reasonOf(payload: unknown): string | undefined {
  try {
    parseBatchSettlementPayload(payload);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadDecodeError);
    return (error as PayloadDecodeError).code;
  }
}

describe('batch-settlement payloads', () => {
  it('round-trips a voucher payload for charged + price', async () => {
    const payload = await createVoucherPayload(payer, {
      config,
      charged: 4000n,
      price: 1000n,
      domain,
    });
    expect(payload.voucher.maxClaimableAmount).toBe('5000');
    expect(parseBatchSettlementPayload(JSON.parse(JSON.stringify(payload)))).toEqual(payload);
  });

  it('parses an ERC-3009 deposit and refuses a Permit2 one', async () => {
    const { voucher } = await createVoucherPayload(payer, {
      config,
      charged: 0n,
      price: 1n,
      domain,
    });
    const deposit = {
      type: 'deposit',
      channelConfig: config,
      voucher,
      deposit: {
        amount: '1000000',
        authorization: {
          erc3009Authorization: {
            validAfter: '0',
            validBefore: '1900000000',
            salt: generatePrivateKey(),
            signature: `0x${'11'.repeat(65)}`,
          },
        },
      },
    };
    expect(parseBatchSettlementPayload(deposit).type).toBe('deposit');
    const permit2 = {
      ...deposit,
      deposit: { amount: '1', authorization: { permit2Authorization: { nonce: '1' } } },
    };
    expect(reasonOf(permit2)).toBe(DeferredReason.depositMethodUnsupported);
  });

  it('refuses malformed payloads with invalid_payload and other types with payload_type', async () => {
    const good = await createVoucherPayload(payer, { config, charged: 0n, price: 1n, domain });
    expect(reasonOf({ ...good, type: 'refund' })).toBe(DeferredReason.payloadType);
    const bad: unknown[] = [
      null,
      'voucher',
      {},
      { ...good, channelConfig: { ...config, payer: '0x1234' } },
      { ...good, channelConfig: { ...config, withdrawDelay: -1 } },
      { ...good, channelConfig: { ...config, withdrawDelay: 2 ** 40 } },
      { ...good, channelConfig: { ...config, salt: '0x00' } },
      { ...good, voucher: { ...good.voucher, maxClaimableAmount: '-1' } },
      { ...good, voucher: { ...good.voucher, maxClaimableAmount: '01' } },
      { ...good, voucher: { ...good.voucher, maxClaimableAmount: (1n << 128n).toString() } },
      { ...good, voucher: { ...good.voucher, maxClaimableAmount: 5 } },
      { ...good, voucher: { ...good.voucher, signature: '0x123' } },
      { ...good, voucher: { ...good.voucher, signature: `0x${'ab'.repeat(9000)}` } },
      { ...good, voucher: { ...good.voucher, channelId: 'nope' } },
    ];
    for (const payload of bad) expect(reasonOf(payload)).toBe(DeferredReason.invalidPayload);
    await expect(
      createVoucherPayload(payer, { config, charged: -1n, price: 1n, domain }),
    ).rejects.toThrow(RangeError);
  });

  it('reads the requirements and settle-response extras the official server sends', () => {
    const extra = {
      receiverAuthorizer: address(),
      withdrawDelay: 900,
      name: 'USD Coin',
      version: '2',
      channelState: {
        channelId: generatePrivateKey(),
        balance: '1000',
        totalClaimed: '0',
        withdrawRequestedAt: 0,
        refundNonce: '0',
        chargedCumulativeAmount: '300',
      },
      voucherState: { signedMaxClaimable: '300', signature: `0x${'22'.repeat(65)}` },
    };
    expect(requirementsExtraSchema.parse(extra)).toEqual(extra);
    expect(requirementsExtraSchema.safeParse({ ...extra, receiverAuthorizer: 'x' }).success).toBe(
      false,
    );
    expect(settleResponseExtraSchema.parse({ chargedAmount: '100' })).toEqual({
      chargedAmount: '100',
    });
  });
});
