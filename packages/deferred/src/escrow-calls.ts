/**
 * Arguments of the escrow's calls, from wire shapes: the contract's ChannelConfig tuple, a batch
 * `claim` of many channels, and the ERC-3009 collector's data for a gasless deposit.
 */
import { encodeAbiParameters } from 'viem';
import type { ChannelConfig, DepositPayload, VoucherFields } from './payload.js';

/** The ChannelConfig tuple as viem encodes it for the escrow. */
export function channelConfigArg(config: ChannelConfig) {
  return {
    payer: config.payer,
    payerAuthorizer: config.payerAuthorizer,
    receiver: config.receiver,
    receiverAuthorizer: config.receiverAuthorizer,
    token: config.token,
    withdrawDelay: config.withdrawDelay,
    salt: config.salt,
  };
}

/** The argument of `claim(VoucherClaim[])`: the latest voucher of each channel. */
export function claimArgs(claims: readonly { config: ChannelConfig; voucher: VoucherFields }[]) {
  return claims.map(({ config, voucher }) => ({
    voucher: {
      channel: channelConfigArg(config),
      maxClaimableAmount: BigInt(voucher.maxClaimableAmount),
    },
    signature: voucher.signature,
  }));
}

/**
 * `collectorData` of a gasless deposit: abi.encode(validAfter, validBefore, salt, signature), the
 * layout the official client's payload maps to and DeferredDepositCollector decodes.
 */
export function erc3009CollectorData(authorization: {
  validAfter: string;
  validBefore: string;
  salt: `0x${string}`;
  signature: `0x${string}`;
}): `0x${string}` {
  return encodeAbiParameters(
    [{ type: 'uint256' }, { type: 'uint256' }, { type: 'uint256' }, { type: 'bytes' }],
    [
      BigInt(authorization.validAfter),
      BigInt(authorization.validBefore),
      BigInt(authorization.salt),
      authorization.signature,
    ],
  );
}

/** The arguments of `deposit(config, amount, collector, collectorData)` for a deposit payload. */
export function depositArgs(payload: DepositPayload, collector: `0x${string}`) {
  const { authorization } = payload.deposit;
  if (!('erc3009Authorization' in authorization)) {
    throw new TypeError('only ERC-3009 deposits have collector data');
  }
  return [
    channelConfigArg(payload.channelConfig),
    BigInt(payload.deposit.amount),
    collector,
    erc3009CollectorData(authorization.erc3009Authorization),
  ] as const;
}
