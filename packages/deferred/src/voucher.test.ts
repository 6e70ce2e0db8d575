import { signVoucher as officialSignVoucher } from '@x402/evm/batch-settlement/client';
import { recoverTypedDataAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { OFFICIAL_BATCH_SETTLEMENT_ADDRESS } from './constants.js';
import { channelIdOf, type EscrowDomain } from './eip712.js';
import type { ChannelConfig } from './payload.js';
import { DeferredReason } from './reasons.js';
import {
  signVoucher,
  verifyVoucherSignature,
  verifyVoucherSignatureOnChain,
  voucherSignerOf,
  voucherTypedData,
} from './voucher.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const ZERO = '0x0000000000000000000000000000000000000000';
const address = () => privateKeyToAddress(generatePrivateKey());
const domain: EscrowDomain = { chainId: 31337, escrow: address() };
const payerKey = generatePrivateKey();
const payer = privateKeyToAccount(payerKey);
const config: ChannelConfig = {
  payer: payer.address,
  payerAuthorizer: payer.address,
  receiver: address(),
  receiverAuthorizer: address(),
  token: address(),
  withdrawDelay: 900,
  salt: generatePrivateKey(),
};

/** The same signature with s' = n - s and the other parity: valid ECDSA, but malleable. */
function highSTwin(signature: `0x${string}`): `0x${string}` {
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130, 132), 16);
  const twinS = (N - s).toString(16).padStart(64, '0');
  return `${signature.slice(0, 66)}${twinS}${(v === 27 ? 28 : 27).toString(16)}` as `0x${string}`;
}

describe('vouchers', () => {
  it('signs a voucher that viem recovers to the payer and that verifies', async () => {
    const voucher = await signVoucher(payer, { config, maxClaimableAmount: 2500n, domain });
    expect(voucher.channelId).toBe(channelIdOf(config, domain));
    expect(voucher.maxClaimableAmount).toBe('2500');
    const recovered = await recoverTypedDataAddress({
      ...voucherTypedData(voucher.channelId, 2500n, domain),
      signature: voucher.signature,
    });
    expect(recovered).toBe(payer.address);
    const check = verifyVoucherSignature({ config, voucher, domain });
    expect(check).toMatchObject({ ok: true, signer: payer.address.toLowerCase() });
  });

  it("verifies vouchers signed by the official client's signVoucher", async () => {
    const official: EscrowDomain = { chainId: 8453, escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS };
    const channelId = channelIdOf(config, official);
    const voucher = await officialSignVoucher(payer, channelId, '123456', 'eip155:8453');
    expect(verifyVoucherSignature({ config, voucher, domain: official }).ok).toBe(true);
    // Under another escrow the same signature is worthless.
    expect(verifyVoucherSignature({ config, voucher, domain })).toEqual({
      ok: false,
      reason: DeferredReason.channelIdMismatch,
    });
  });

  it('refuses the high-s twin of a valid signature with its own reason', async () => {
    const voucher = await signVoucher(payer, { config, maxClaimableAmount: 10n, domain });
    const twin = { ...voucher, signature: highSTwin(voucher.signature) };
    // The twin is a valid ECDSA signature by the same key (viem recovers it) ...
    const recovered = await recoverTypedDataAddress({
      ...voucherTypedData(voucher.channelId, 10n, domain),
      signature: twin.signature,
    });
    expect(recovered).toBe(payer.address);
    // ... which the escrow would refuse, so we do too.
    expect(verifyVoucherSignature({ config, voucher: twin, domain })).toEqual({
      ok: false,
      reason: DeferredReason.voucherSignatureHighS,
    });
  });

  it('refuses another signer, a changed amount, a v of 0/1 and malformed bytes', async () => {
    const stranger = privateKeyToAccount(generatePrivateKey());
    const voucher = await signVoucher(stranger, { config, maxClaimableAmount: 10n, domain });
    const refused = { ok: false, reason: DeferredReason.voucherSignature };
    expect(verifyVoucherSignature({ config, voucher, domain })).toEqual(refused);
    const mine = await signVoucher(payer, { config, maxClaimableAmount: 10n, domain });
    expect(
      verifyVoucherSignature({ config, voucher: { ...mine, maxClaimableAmount: '11' }, domain }),
    ).toEqual(refused);
    const v = Number.parseInt(mine.signature.slice(130), 16) - 27;
    const raw = `${mine.signature.slice(0, 130)}0${v}` as `0x${string}`;
    expect(
      verifyVoucherSignature({ config, voucher: { ...mine, signature: raw }, domain }),
    ).toEqual(refused);
    for (const signature of ['0x', '0x00', `0x${'00'.repeat(65)}`, `${mine.signature}00`]) {
      expect(
        verifyVoucherSignature({
          config,
          voucher: { ...mine, signature: signature as `0x${string}` },
          domain,
        }),
      ).toEqual(refused);
    }
  });

  it('takes the payer as signer when the payer authorizer is zero', async () => {
    const delegate = privateKeyToAccount(generatePrivateKey());
    const delegated = { ...config, payerAuthorizer: delegate.address };
    expect(voucherSignerOf(delegated)).toBe(delegate.address.toLowerCase());
    const byDelegate = await signVoucher(delegate, {
      config: delegated,
      maxClaimableAmount: 5n,
      domain,
    });
    expect(verifyVoucherSignature({ config: delegated, voucher: byDelegate, domain }).ok).toBe(
      true,
    );
    const byPayer = await signVoucher(payer, { config: delegated, maxClaimableAmount: 5n, domain });
    expect(verifyVoucherSignature({ config: delegated, voucher: byPayer, domain }).ok).toBe(false);
    const own = { ...config, payerAuthorizer: ZERO } as ChannelConfig;
    const voucher = await signVoucher(payer, { config: own, maxClaimableAmount: 5n, domain });
    expect(verifyVoucherSignature({ config: own, voucher, domain }).ok).toBe(true);
  });

  it('checks an EOA on chain without EIP-1271 and propagates RPC failures', async () => {
    const voucher = await signVoucher(payer, { config, maxClaimableAmount: 7n, domain });
    const eoa = {
      getCode: async () => undefined,
      readContract: async () => {
        throw new Error('not called');
      },
    };
    const check = await verifyVoucherSignatureOnChain(
      eoa as unknown as Parameters<typeof verifyVoucherSignatureOnChain>[0],
      { config, voucher, domain },
    );
    expect(check.ok).toBe(true);
    const down = {
      getCode: async () => '0x60',
      readContract: async () => {
        throw new Error('connection refused');
      },
    };
    await expect(
      verifyVoucherSignatureOnChain(
        down as unknown as Parameters<typeof verifyVoucherSignatureOnChain>[0],
        { config, voucher, domain },
      ),
    ).rejects.toThrow('connection refused');
  });
});
