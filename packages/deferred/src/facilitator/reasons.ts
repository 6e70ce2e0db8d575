/** Reasons of the deferred roles beyond the first slice's table (ours, not the official SDK's). */
export const DeferredRoleReason = {
  /** A withdrawal of the channel becomes final before the voucher could safely be redeemed. */
  channelClosing: 'invalid_batch_settlement_evm_channel_closing',
  /** Deposits are made on chain before paying; this rail does not relay them on the request path. */
  depositNotRelayed: 'invalid_batch_settlement_evm_deposit_not_relayed',
  /** Settle found no reservation for the voucher and could not make one. */
  notReserved: 'invalid_batch_settlement_evm_voucher_not_reserved',
} as const;

export type DeferredRoleReason = (typeof DeferredRoleReason)[keyof typeof DeferredRoleReason];
