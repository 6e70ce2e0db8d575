import { computeChannelId } from '@x402/evm/batch-settlement/client';
import { hashTypedData, keccak256, toBytes } from 'viem';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  CHANNEL_CONFIG_TYPE,
  channelConfigTypes,
  OFFICIAL_BATCH_SETTLEMENT_ADDRESS,
  VOUCHER_TYPE,
  voucherTypes,
} from './constants.js';
import {
  CHANNEL_CONFIG_TYPEHASH,
  channelIdOf,
  type EscrowDomain,
  toHex,
  VOUCHER_TYPEHASH,
  voucherDigest,
} from './eip712.js';
import type { ChannelConfig } from './payload.js';
import { escrowEip712Domain } from './voucher.js';

const address = () => privateKeyToAddress(generatePrivateKey());
const config = (overrides: Partial<ChannelConfig> = {}): ChannelConfig => ({
  payer: address(),
  payerAuthorizer: address(),
  receiver: address(),
  receiverAuthorizer: address(),
  token: address(),
  withdrawDelay: 86_400,
  salt: generatePrivateKey(),
  ...overrides,
});

describe('EIP-712 hashing', () => {
  it('has the official type strings', () => {
    expect(toHex(CHANNEL_CONFIG_TYPEHASH)).toBe(keccak256(toBytes(CHANNEL_CONFIG_TYPE)));
    expect(toHex(VOUCHER_TYPEHASH)).toBe(keccak256(toBytes(VOUCHER_TYPE)));
  });

  it('derives channel ids as viem hashTypedData does, for many configs and domains', () => {
    for (let i = 0; i < 25; i++) {
      const domain: EscrowDomain = { chainId: 1 + i * 7919, escrow: address() };
      const c = config({ withdrawDelay: 900 + i * 1000 });
      const expected = hashTypedData({
        domain: escrowEip712Domain(domain),
        types: channelConfigTypes,
        primaryType: 'ChannelConfig',
        message: c,
      });
      expect(channelIdOf(c, domain)).toBe(expected);
    }
  });

  it("matches the official client's computeChannelId on its canonical escrow", () => {
    const c = config();
    const ours = channelIdOf(c, { chainId: 84532, escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS });
    expect(ours).toBe(computeChannelId(c, 'eip155:84532').toLowerCase());
  });

  it('binds the channel id to the chain and the escrow', () => {
    const c = config();
    const escrow = address();
    const a = channelIdOf(c, { chainId: 1, escrow });
    expect(channelIdOf(c, { chainId: 2, escrow })).not.toBe(a);
    expect(channelIdOf(c, { chainId: 1, escrow: address() })).not.toBe(a);
    expect(channelIdOf({ ...c, salt: generatePrivateKey() }, { chainId: 1, escrow })).not.toBe(a);
  });

  it('hashes vouchers as viem does, up to uint128', () => {
    const domain: EscrowDomain = { chainId: 31337, escrow: address() };
    const channelId = generatePrivateKey();
    for (const amount of [0n, 1n, 1_000_000n, (1n << 128n) - 1n]) {
      const expected = hashTypedData({
        domain: escrowEip712Domain(domain),
        types: voucherTypes,
        primaryType: 'Voucher',
        message: { channelId, maxClaimableAmount: amount },
      });
      expect(toHex(voucherDigest(channelId, amount, domain))).toBe(expected);
    }
    expect(() => voucherDigest(channelId, 1n << 128n, domain)).toThrow(RangeError);
    expect(() => voucherDigest(channelId, -1n, domain)).toThrow(RangeError);
  });
});
