/**
 * The fixed names of x402's `batch-settlement` EVM binding, as its official implementation
 * (`@x402/evm` 2.27, `batch-settlement/constants.ts`) uses them: the scheme id, the EIP-712 domain
 * name and version, the struct types of a channel config and a voucher, and the official
 * contracts' addresses (which its client hard-codes into every signature).
 */

/** The x402 scheme id of the deferred rail. */
export const BATCH_SETTLEMENT_SCHEME = 'batch-settlement';

/** EIP-712 domain name and version shared by every batch-settlement signature. */
export const BATCH_SETTLEMENT_DOMAIN = { name: 'x402 Batch Settlement', version: '1' } as const;

/**
 * Where the official x402BatchSettlement contract lives (the same address on every chain). The
 * official client binds channel ids and vouchers to it; see the README's interop notes.
 */
export const OFFICIAL_BATCH_SETTLEMENT_ADDRESS = '0x4020074e9dF2ce1deE5A9C1b5c3f541D02a10003';

/** The official ERC-3009 deposit collector, the `to` of the official client's deposit signatures. */
export const OFFICIAL_ERC3009_DEPOSIT_COLLECTOR_ADDRESS =
  '0x4020806089470a89826cB9fB1f4059150b550004';

/** Bounds of a channel's withdrawal delay in seconds (15 minutes to 30 days), as on chain. */
export const MIN_WITHDRAW_DELAY = 900;
export const MAX_WITHDRAW_DELAY = 2_592_000;

/** The EIP-712 encoded types (their keccak-256 are the type hashes). */
export const CHANNEL_CONFIG_TYPE =
  'ChannelConfig(address payer,address payerAuthorizer,address receiver,address receiverAuthorizer,address token,uint40 withdrawDelay,bytes32 salt)';
export const VOUCHER_TYPE = 'Voucher(bytes32 channelId,uint128 maxClaimableAmount)';

/** The same types in viem's typed-data form. */
export const channelConfigTypes = {
  ChannelConfig: [
    { name: 'payer', type: 'address' },
    { name: 'payerAuthorizer', type: 'address' },
    { name: 'receiver', type: 'address' },
    { name: 'receiverAuthorizer', type: 'address' },
    { name: 'token', type: 'address' },
    { name: 'withdrawDelay', type: 'uint40' },
    { name: 'salt', type: 'bytes32' },
  ],
} as const;

export const voucherTypes = {
  Voucher: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'maxClaimableAmount', type: 'uint128' },
  ],
} as const;

/** Largest voucher amount: the contract stores cumulative amounts as uint128. */
export const MAX_UINT128 = (1n << 128n) - 1n;
