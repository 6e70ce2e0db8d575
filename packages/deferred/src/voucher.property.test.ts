/**
 * The native verify path against viem's `recoverTypedDataAddress`, over random keys, amounts,
 * channels and domains, and over random signature bytes: the same signer, or a refusal exactly
 * where the escrow would refuse (v not 27/28, high s, no valid point).
 */
import { recoveryBackend, useRecoveryBackend } from '@x402-rails/evm/crypto';
import fc from 'fast-check';
import { recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_UINT128 } from './constants.js';
import { ecdsaSigner } from './ecdsa.js';
import { channelIdOf, type EscrowDomain, voucherDigest } from './eip712.js';
import type { ChannelConfig } from './payload.js';
import { DeferredReason } from './reasons.js';
import { signVoucher, verifyVoucherSignature, voucherTypedData } from './voucher.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N / 2n;
const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString('hex')}` as `0x${string}`;
const word = (value: bigint) => value.toString(16).padStart(64, '0');

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const privateKey = fc.bigInt({ min: 1n, max: N - 1n }).map((k) => `0x${word(k)}` as const);
const address = bytes(20).map(hex);
const domain: fc.Arbitrary<EscrowDomain> = fc.record({
  chainId: fc.integer({ min: 1, max: 2 ** 40 }),
  escrow: address,
});
const channel = fc.record({
  receiver: address,
  receiverAuthorizer: address,
  token: address,
  withdrawDelay: fc.integer({ min: 900, max: 2_592_000 }),
  salt: bytes(32).map(hex),
});
const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 12n }),
  fc.bigInt({ min: 0n, max: MAX_UINT128 }),
);

describe('native voucher verification matches viem', () => {
  afterEach(() => {
    useRecoveryBackend(undefined);
  });

  it('runs on the native secp256k1 binding here', () => {
    expect(recoveryBackend()).toBe('native');
  });

  it('accepts every voucher viem recovers to the payer, with the same signer', async () => {
    await fc.assert(
      fc.asyncProperty(privateKey, channel, domain, amount, async (key, terms, dom, total) => {
        const payer = privateKeyToAccount(key);
        const config: ChannelConfig = {
          ...terms,
          payer: payer.address,
          payerAuthorizer: payer.address,
        };
        const voucher = await signVoucher(payer, {
          config,
          maxClaimableAmount: total,
          domain: dom,
        });
        const viemSigner = await recoverTypedDataAddress({
          ...voucherTypedData(voucher.channelId, total, dom),
          signature: voucher.signature,
        });
        const check = verifyVoucherSignature({ config, voucher, domain: dom });
        expect(check).toMatchObject({ ok: true, signer: viemSigner.toLowerCase() });
        // One unit more is another digest: the same signature no longer names the payer.
        if (total < MAX_UINT128) {
          const bumped = { ...voucher, maxClaimableAmount: (total + 1n).toString() };
          expect(verifyVoucherSignature({ config, voucher: bumped, domain: dom })).toEqual({
            ok: false,
            reason: DeferredReason.voucherSignature,
          });
        }
      }),
      { numRuns: 60 },
    );
  });

  it('recovers what viem recovers from arbitrary signature bytes, refusing v 0/1 and high s', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes(32).map(hex),
        domain,
        amount,
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        fc.constantFrom(0, 1, 27, 28, 29),
        async (channelId, dom, total, r, s, v) => {
          const signature = `0x${word(r)}${word(s)}${v.toString(16).padStart(2, '0')}` as const;
          const ours = ecdsaSigner(voucherDigest(channelId, total, dom), signature);
          let theirs: string | undefined;
          try {
            theirs = await recoverTypedDataAddress({
              ...voucherTypedData(channelId, total, dom),
              signature,
            });
          } catch {
            theirs = undefined;
          }
          if (v !== 27 && v !== 28) expect(ours).toEqual({ ok: false, problem: 'v' });
          else if (s > HALF_N) expect(ours).toEqual({ ok: false, problem: 'high_s' });
          else if (ours.ok) expect(ours.signer).toBe(theirs?.toLowerCase());
          else expect(ours.problem).toBe('invalid');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same answer on the pure-JS fallback as on the native binding', () => {
    fc.assert(
      fc.property(bytes(32), bytes(64), fc.constantFrom(27, 28), (digest, rs, v) => {
        const signature = `${hex(rs)}${v.toString(16)}`;
        useRecoveryBackend('native');
        const native = ecdsaSigner(digest, signature);
        useRecoveryBackend('js');
        const js = ecdsaSigner(digest, signature);
        useRecoveryBackend(undefined);
        expect(js).toEqual(native);
      }),
      { numRuns: 100 },
    );
  });

  it('matches the channel id of the config under every domain', () => {
    fc.assert(
      fc.property(channel, address, domain, domain, (terms, payer, a, b) => {
        const config: ChannelConfig = { ...terms, payer, payerAuthorizer: payer };
        const sameDomain = a.chainId === b.chainId && a.escrow === b.escrow;
        expect(channelIdOf(config, a) === channelIdOf(config, b)).toBe(sameDomain);
      }),
    );
  });
});
