/**
 * A batch-settlement offer on Base with an escrow stub that answers as the chain would (every
 * channel funded with 1 USDC, nothing claimed or withdrawing), and vouchers for it: for facilitator
 * tests that need no chain.
 */
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import type { PrivateKeyAccount } from 'viem/accounts';
import { OFFICIAL_BATCH_SETTLEMENT_ADDRESS } from '../src/constants.js';
import type { EscrowDomain } from '../src/eip712.js';
import type { DeferredFacilitatorNetwork } from '../src/facilitator/facilitator.js';
import type { ChannelConfig } from '../src/payload.js';
import { createVoucherPayload } from '../src/voucher-payload.js';

export const NETWORK = 'eip155:8453' as const;
export const DOMAIN: EscrowDomain = { chainId: 8453, escrow: OFFICIAL_BATCH_SETTLEMENT_ADDRESS };
export const MERCHANT = '0x209693Bc6afc0C5328bA36FaF03C514EF312287C' as const;
export const USDC = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' as const;
export const PRICE = 1000n;

export const requirements: PaymentRequirements = {
  scheme: 'batch-settlement',
  network: NETWORK,
  amount: PRICE.toString(),
  asset: USDC,
  payTo: MERCHANT,
  maxTimeoutSeconds: 60,
  extra: { receiverAuthorizer: MERCHANT, withdrawDelay: 86_400, name: 'USD Coin', version: '2' },
};

/** Every channel funded with 1 USDC, nothing claimed or withdrawing. */
export const fundedEscrow = {
  getCode: async () => undefined,
  readContract: async ({ functionName }: { functionName: string }) =>
    functionName === 'channels' ? [1_000_000n, 0n] : [0n, 0n],
} as unknown as NonNullable<DeferredFacilitatorNetwork['client']>;

/** The facilitator's network entry for this offer, on the escrow stub. */
export const fundedNetwork: DeferredFacilitatorNetwork = {
  network: NETWORK,
  escrow: DOMAIN.escrow,
  client: fundedEscrow,
};

/** The channel config of `payer` paying the merchant, told apart by the salt's last byte. */
export function channelConfigOf(payer: PrivateKeyAccount, saltByte: number): ChannelConfig {
  return {
    payer: payer.address,
    payerAuthorizer: payer.address,
    receiver: MERCHANT,
    receiverAuthorizer: MERCHANT,
    token: USDC,
    withdrawDelay: 86_400,
    salt: `0x${'00'.repeat(31)}${saltByte.toString(16).padStart(2, '0')}`,
  };
}

/** The payment of the request after `charged`: a voucher for `charged + PRICE`. */
export async function voucherPaymentOf(
  payer: PrivateKeyAccount,
  config: ChannelConfig,
  charged: bigint,
): Promise<PaymentPayload> {
  return {
    x402Version: 2,
    accepted: requirements,
    payload: {
      ...(await createVoucherPayload(payer, { config, charged, price: PRICE, domain: DOMAIN })),
    },
  };
}

export const channelIdOf = (payload: PaymentPayload) =>
  (payload.payload as { voucher: { channelId: `0x${string}` } }).voucher.channelId;
