import { describe, expect, it } from 'vitest';
import { channelTermsProblem, cumulativeProblem } from './channel-rules.js';
import { DeferredReason } from './reasons.js';

const A = '0x00000000000000000000000000000000000000aa';
const B = '0x00000000000000000000000000000000000000bb';
const C = '0x00000000000000000000000000000000000000cc';

describe('cumulativeProblem', () => {
  const channel = { charged: 3_000n, balance: 10_000n, totalClaimed: 2_000n };
  it('accepts exactly charged + price within the balance', () => {
    expect(cumulativeProblem(4_000n, 1_000n, channel)).toBeUndefined();
    expect(cumulativeProblem(10_000n, 7_000n, channel)).toBeUndefined();
  });
  it('asks for a resync when the cumulative is not charged + price, either way', () => {
    expect(cumulativeProblem(3_999n, 1_000n, channel)).toBe(DeferredReason.cumulativeMismatch);
    expect(cumulativeProblem(4_001n, 1_000n, channel)).toBe(DeferredReason.cumulativeMismatch);
    expect(cumulativeProblem(1_000n, 1_000n, channel)).toBe(DeferredReason.cumulativeMismatch);
  });
  it('refuses below what was claimed and above the balance', () => {
    const behind = { charged: 500n, balance: 10_000n, totalClaimed: 2_000n };
    expect(cumulativeProblem(1_500n, 1_000n, behind)).toBe(DeferredReason.cumulativeBelowClaimed);
    expect(cumulativeProblem(11_000n, 8_000n, channel)).toBe(
      DeferredReason.cumulativeExceedsBalance,
    );
  });
});

describe('channelTermsProblem', () => {
  const terms = { receiver: A, receiverAuthorizer: B, token: C, withdrawDelay: 900 };
  const config = {
    payer: B,
    payerAuthorizer: B,
    receiver: A.toUpperCase().replace('0X', '0x') as `0x${string}`,
    receiverAuthorizer: B,
    token: C,
    withdrawDelay: 900,
    salt: `0x${'00'.repeat(32)}` as `0x${string}`,
  } as const;
  it('accepts the server terms, case-blind', () => {
    expect(channelTermsProblem(config, terms)).toBeUndefined();
  });
  it('names each mismatch', () => {
    expect(channelTermsProblem({ ...config, receiver: B }, terms)).toBe(
      DeferredReason.receiverMismatch,
    );
    expect(channelTermsProblem({ ...config, receiverAuthorizer: A }, terms)).toBe(
      DeferredReason.receiverAuthorizerMismatch,
    );
    expect(channelTermsProblem({ ...config, token: A }, terms)).toBe(DeferredReason.tokenMismatch);
    expect(channelTermsProblem({ ...config, withdrawDelay: 899 }, terms)).toBe(
      DeferredReason.withdrawDelayOutOfRange,
    );
    expect(channelTermsProblem({ ...config, withdrawDelay: 1000 }, terms)).toBe(
      DeferredReason.withdrawDelayMismatch,
    );
  });
});
