/**
 * The ABI of the deferred rail's escrow (testkit/contracts/DeferredEscrow.sol) for what this
 * package calls and reads; a test checks it against the compiled contract.
 */
export const escrowAbi = [
  {
    anonymous: false,
    inputs: [
      { indexed: true, internalType: 'bytes32', name: 'channelId', type: 'bytes32' },
      { indexed: false, internalType: 'uint8', name: 'reason', type: 'uint8' },
    ],
    name: 'ClaimSkipped',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      { indexed: true, internalType: 'bytes32', name: 'channelId', type: 'bytes32' },
      { indexed: true, internalType: 'address', name: 'receiver', type: 'address' },
      { indexed: false, internalType: 'uint128', name: 'amount', type: 'uint128' },
      { indexed: false, internalType: 'uint128', name: 'totalClaimed', type: 'uint128' },
    ],
    name: 'Claimed',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      { indexed: true, internalType: 'bytes32', name: 'channelId', type: 'bytes32' },
      { indexed: true, internalType: 'address', name: 'payer', type: 'address' },
      { indexed: true, internalType: 'address', name: 'sender', type: 'address' },
      { indexed: false, internalType: 'uint128', name: 'amount', type: 'uint128' },
      { indexed: false, internalType: 'uint128', name: 'balance', type: 'uint128' },
    ],
    name: 'Deposited',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      { indexed: true, internalType: 'bytes32', name: 'channelId', type: 'bytes32' },
      { indexed: false, internalType: 'uint128', name: 'amount', type: 'uint128' },
      { indexed: false, internalType: 'uint40', name: 'finalizableAt', type: 'uint40' },
    ],
    name: 'WithdrawInitiated',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      { indexed: true, internalType: 'bytes32', name: 'channelId', type: 'bytes32' },
      { indexed: true, internalType: 'address', name: 'payer', type: 'address' },
      { indexed: false, internalType: 'uint128', name: 'amount', type: 'uint128' },
    ],
    name: 'Withdrawn',
    type: 'event',
  },
  {
    inputs: [{ internalType: 'bytes32', name: '', type: 'bytes32' }],
    name: 'channels',
    outputs: [
      { internalType: 'uint128', name: 'balance', type: 'uint128' },
      { internalType: 'uint128', name: 'totalClaimed', type: 'uint128' },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        components: [
          {
            components: [
              {
                components: [
                  { internalType: 'address', name: 'payer', type: 'address' },
                  { internalType: 'address', name: 'payerAuthorizer', type: 'address' },
                  { internalType: 'address', name: 'receiver', type: 'address' },
                  { internalType: 'address', name: 'receiverAuthorizer', type: 'address' },
                  { internalType: 'address', name: 'token', type: 'address' },
                  { internalType: 'uint40', name: 'withdrawDelay', type: 'uint40' },
                  { internalType: 'bytes32', name: 'salt', type: 'bytes32' },
                ],
                internalType: 'struct DeferredEscrow.ChannelConfig',
                name: 'channel',
                type: 'tuple',
              },
              { internalType: 'uint128', name: 'maxClaimableAmount', type: 'uint128' },
            ],
            internalType: 'struct DeferredEscrow.Voucher',
            name: 'voucher',
            type: 'tuple',
          },
          { internalType: 'bytes', name: 'signature', type: 'bytes' },
        ],
        internalType: 'struct DeferredEscrow.VoucherClaim[]',
        name: 'voucherClaims',
        type: 'tuple[]',
      },
    ],
    name: 'claim',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        components: [
          { internalType: 'address', name: 'payer', type: 'address' },
          { internalType: 'address', name: 'payerAuthorizer', type: 'address' },
          { internalType: 'address', name: 'receiver', type: 'address' },
          { internalType: 'address', name: 'receiverAuthorizer', type: 'address' },
          { internalType: 'address', name: 'token', type: 'address' },
          { internalType: 'uint40', name: 'withdrawDelay', type: 'uint40' },
          { internalType: 'bytes32', name: 'salt', type: 'bytes32' },
        ],
        internalType: 'struct DeferredEscrow.ChannelConfig',
        name: 'config',
        type: 'tuple',
      },
      { internalType: 'uint128', name: 'amount', type: 'uint128' },
      { internalType: 'address', name: 'collector', type: 'address' },
      { internalType: 'bytes', name: 'collectorData', type: 'bytes' },
    ],
    name: 'deposit',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        components: [
          { internalType: 'address', name: 'payer', type: 'address' },
          { internalType: 'address', name: 'payerAuthorizer', type: 'address' },
          { internalType: 'address', name: 'receiver', type: 'address' },
          { internalType: 'address', name: 'receiverAuthorizer', type: 'address' },
          { internalType: 'address', name: 'token', type: 'address' },
          { internalType: 'uint40', name: 'withdrawDelay', type: 'uint40' },
          { internalType: 'bytes32', name: 'salt', type: 'bytes32' },
        ],
        internalType: 'struct DeferredEscrow.ChannelConfig',
        name: 'config',
        type: 'tuple',
      },
    ],
    name: 'finalizeWithdraw',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        components: [
          { internalType: 'address', name: 'payer', type: 'address' },
          { internalType: 'address', name: 'payerAuthorizer', type: 'address' },
          { internalType: 'address', name: 'receiver', type: 'address' },
          { internalType: 'address', name: 'receiverAuthorizer', type: 'address' },
          { internalType: 'address', name: 'token', type: 'address' },
          { internalType: 'uint40', name: 'withdrawDelay', type: 'uint40' },
          { internalType: 'bytes32', name: 'salt', type: 'bytes32' },
        ],
        internalType: 'struct DeferredEscrow.ChannelConfig',
        name: 'config',
        type: 'tuple',
      },
    ],
    name: 'getChannelId',
    outputs: [{ internalType: 'bytes32', name: '', type: 'bytes32' }],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      { internalType: 'bytes32', name: 'channelId', type: 'bytes32' },
      { internalType: 'uint128', name: 'maxClaimableAmount', type: 'uint128' },
    ],
    name: 'getVoucherDigest',
    outputs: [{ internalType: 'bytes32', name: '', type: 'bytes32' }],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        components: [
          { internalType: 'address', name: 'payer', type: 'address' },
          { internalType: 'address', name: 'payerAuthorizer', type: 'address' },
          { internalType: 'address', name: 'receiver', type: 'address' },
          { internalType: 'address', name: 'receiverAuthorizer', type: 'address' },
          { internalType: 'address', name: 'token', type: 'address' },
          { internalType: 'uint40', name: 'withdrawDelay', type: 'uint40' },
          { internalType: 'bytes32', name: 'salt', type: 'bytes32' },
        ],
        internalType: 'struct DeferredEscrow.ChannelConfig',
        name: 'config',
        type: 'tuple',
      },
      { internalType: 'uint128', name: 'amount', type: 'uint128' },
    ],
    name: 'initiateWithdraw',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [{ internalType: 'bytes32', name: '', type: 'bytes32' }],
    name: 'pendingWithdrawals',
    outputs: [
      { internalType: 'uint128', name: 'amount', type: 'uint128' },
      { internalType: 'uint40', name: 'initiatedAt', type: 'uint40' },
    ],
    stateMutability: 'view',
    type: 'function',
  },
] as const;
