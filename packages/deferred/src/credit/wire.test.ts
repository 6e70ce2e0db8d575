import { hashTypedData } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { type LedgerDomain, voucherDigest } from '../eip712.js';
import { voucherTypedData } from '../voucher.js';
import {
  type CreditChannelConfig,
  creditChannelConfigTypes,
  creditChannelIdOf,
  creditPeriodEnd,
  ZERO_SALT,
} from './wire.js';

const domain: LedgerDomain = {
  name: 'x402 Credit Ledger',
  version: '1',
  ledger: '0x00000000000000000000000000000000000c4ed1',
};
const payer = privateKeyToAccount(generatePrivateKey());
const config: CreditChannelConfig = {
  payer: payer.address,
  payerAuthorizer: payer.address,
  receiver: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  currency: 'usd',
  periodEnd: 1_800_000_000,
  salt: ZERO_SALT,
};

describe('credit wire', () => {
  it('hashes the channel config as viem does, under a domain without chainId', () => {
    const expected = hashTypedData({
      domain: { name: domain.name, version: domain.version, verifyingContract: domain.ledger },
      types: creditChannelConfigTypes,
      primaryType: 'CreditChannelConfig',
      message: { ...config, periodEnd: BigInt(config.periodEnd) },
    });
    expect(creditChannelIdOf(config, domain)).toBe(expected);
  });

  it('binds the id to the ledger, the period and every term', () => {
    const id = creditChannelIdOf(config, domain);
    expect(creditChannelIdOf(config, { ...domain, ledger: `0x${'11'.repeat(20)}` })).not.toBe(id);
    expect(creditChannelIdOf({ ...config, periodEnd: config.periodEnd + 1 }, domain)).not.toBe(id);
    expect(creditChannelIdOf({ ...config, currency: 'eur' }, domain)).not.toBe(id);
    expect(creditChannelIdOf({ ...config, salt: `0x${'01'.repeat(32)}` }, domain)).not.toBe(id);
  });

  it('signs vouchers whose digest is viem’s typed-data hash, never an escrow domain’s', async () => {
    const id = creditChannelIdOf(config, domain);
    const typed = voucherTypedData(id, 3000n, domain);
    expect(typed.domain).not.toHaveProperty('chainId');
    const digest = Buffer.from(voucherDigest(id, 3000n, domain)).toString('hex');
    expect(`0x${digest}`).toBe(hashTypedData(typed));
    const onChain = voucherDigest(id, 3000n, { chainId: 1, escrow: domain.ledger });
    expect(Buffer.from(onChain).toString('hex')).not.toBe(digest);
  });

  it('aligns billing periods to the epoch', () => {
    expect(creditPeriodEnd(0, 86_400)).toBe(86_400);
    expect(creditPeriodEnd(86_399_999, 86_400)).toBe(86_400);
    expect(creditPeriodEnd(86_400_000, 86_400)).toBe(172_800);
  });
});
