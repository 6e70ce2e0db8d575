import { X402Error } from '@x402-rails/core';
import { describe, expect, it } from 'vitest';
import { evmChannelConfig, UNREADABLE_CHANNEL_CONFIG } from './evm-config.js';

const channelId = `0x${'ab'.repeat(32)}` as const;
const config = {
  payer: '0x1111111111111111111111111111111111111111',
  payerAuthorizer: '0x1111111111111111111111111111111111111111',
  receiver: '0x2222222222222222222222222222222222222222',
  receiverAuthorizer: '0x2222222222222222222222222222222222222222',
  token: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  withdrawDelay: 86_400,
  salt: `0x${'00'.repeat(32)}`,
} as const;

describe('evmChannelConfig', () => {
  it('reads an escrow channel config back from the ledger’s terms', () => {
    expect(evmChannelConfig({ channelId, config })).toEqual(config);
  });

  it('refuses terms that are not an escrow channel config, naming the channel', () => {
    const credit = { billingIdentity: 'cus_1', creditLimit: '5000000' };
    const broken = { ...config, withdrawDelay: '86400' };
    for (const terms of [credit, broken]) {
      let thrown: unknown;
      try {
        evmChannelConfig({ channelId, config: terms });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(X402Error);
      expect((thrown as X402Error).code).toBe(UNREADABLE_CHANNEL_CONFIG);
      expect((thrown as X402Error).message).toContain(channelId);
    }
  });
});
