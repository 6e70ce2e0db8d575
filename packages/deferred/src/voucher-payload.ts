/** A batch-settlement `voucher` payload: the channel config and a voucher for its new cumulative. */
import type { EscrowDomain } from './eip712.js';
import type { ChannelConfig, VoucherPayload } from './payload.js';
import { signVoucher, type TypedDataSigner } from './voucher.js';

/**
 * Signs a voucher for `charged + price` (the channel's new cumulative amount) and returns the
 * payload the client sends in PAYMENT-SIGNATURE.
 */
export async function createVoucherPayload(
  signer: TypedDataSigner,
  input: { config: ChannelConfig; charged: bigint; price: bigint; domain: EscrowDomain },
): Promise<VoucherPayload> {
  if (input.charged < 0n || input.price < 0n) throw new RangeError('amounts are not negative');
  const voucher = await signVoucher(signer, {
    config: input.config,
    maxClaimableAmount: input.charged + input.price,
    domain: input.domain,
  });
  return { type: 'voucher', channelConfig: input.config, voucher };
}
