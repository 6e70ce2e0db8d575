/**
 * Cumulative vouchers: the EIP-712 typed data a payer signs, signing with a viem account, and
 * verifying a signature exactly as the escrow's `claim` does (EOA: ECDSA, v 27/28, low s; an
 * address with code: EIP-1271 `isValidSignature`).
 */
import {
  AbiDecodingZeroDataError,
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  getAddress,
  type PublicClient,
} from 'viem';
import { BATCH_SETTLEMENT_DOMAIN, voucherTypes } from './constants.js';
import { ecdsaSigner } from './ecdsa.js';
import {
  channelIdOf,
  type EscrowDomain,
  isLedgerDomain,
  toHex,
  type VoucherDomain,
  voucherDigest,
} from './eip712.js';
import type { ChannelConfig, VoucherFields } from './payload.js';
import { DeferredReason } from './reasons.js';

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
const ERC1271_MAGIC_VALUE = '0x1626ba7e';

/** The EIP-712 domain of an escrow (or, credit-backed, of a ledger: no chainId), in viem's form. */
export function escrowEip712Domain(domain: VoucherDomain): {
  name: string;
  version: string;
  chainId?: number;
  verifyingContract: `0x${string}`;
} {
  if (isLedgerDomain(domain)) {
    return {
      name: domain.name,
      version: domain.version,
      verifyingContract: getAddress(domain.ledger),
    };
  }
  return {
    ...BATCH_SETTLEMENT_DOMAIN,
    chainId: domain.chainId,
    verifyingContract: getAddress(domain.escrow),
  };
}

/** The typed data of a voucher, for `signTypedData` / `hashTypedData` in viem. */
export function voucherTypedData(
  channelId: `0x${string}`,
  maxClaimableAmount: bigint,
  domain: VoucherDomain,
) {
  return {
    domain: escrowEip712Domain(domain),
    types: voucherTypes,
    primaryType: 'Voucher',
    message: { channelId, maxClaimableAmount },
  } as const;
}

/** Who must sign a channel's vouchers: its payer authorizer, or the payer when that is zero. */
export function voucherSignerOf(
  config: Pick<ChannelConfig, 'payer' | 'payerAuthorizer'>,
): `0x${string}` {
  const authorizer = config.payerAuthorizer.toLowerCase();
  return (authorizer === ZERO_ADDRESS ? config.payer.toLowerCase() : authorizer) as `0x${string}`;
}

/** Anything that signs EIP-712 typed data: a viem LocalAccount, or a wallet client's account. */
export interface TypedDataSigner {
  signTypedData(typedData: ReturnType<typeof voucherTypedData>): Promise<`0x${string}`>;
}

/**
 * Signs a voucher for `maxClaimableAmount` in total on the channel of `config`.
 *
 * @example
 * const voucher = await signVoucher(privateKeyToAccount(key), { config, maxClaimableAmount: 3000n, domain });
 */
export async function signVoucher(
  signer: TypedDataSigner,
  input: { config: ChannelConfig; maxClaimableAmount: bigint; domain: EscrowDomain },
): Promise<VoucherFields> {
  return signChannelVoucher(signer, {
    channelId: channelIdOf(input.config, input.domain),
    maxClaimableAmount: input.maxClaimableAmount,
    domain: input.domain,
  });
}

/** Signs a voucher for `maxClaimableAmount` in total on the channel `channelId` of `domain`. */
export async function signChannelVoucher(
  signer: TypedDataSigner,
  input: { channelId: `0x${string}`; maxClaimableAmount: bigint; domain: VoucherDomain },
): Promise<VoucherFields> {
  const signature = await signer.signTypedData(
    voucherTypedData(input.channelId, input.maxClaimableAmount, input.domain),
  );
  return {
    channelId: input.channelId,
    maxClaimableAmount: input.maxClaimableAmount.toString(),
    signature,
  };
}

export interface VoucherSignatureInput {
  config: ChannelConfig;
  voucher: VoucherFields;
  domain: EscrowDomain;
}

export type VoucherSignatureCheck =
  | { ok: true; channelId: `0x${string}`; signer: `0x${string}`; digest: `0x${string}` }
  | { ok: false; reason: DeferredReason };

/**
 * Channel ids of recently seen configs: a channel sends the same config with every voucher, and
 * its id costs two keccaks. Keyed by every field the id hashes, so a hit is exact; bounded, oldest
 * dropped first.
 */
const channelIds = new Map<string, `0x${string}`>();
const CHANNEL_ID_CACHE_SIZE = 10_000;

function cachedChannelId(config: ChannelConfig, domain: EscrowDomain): `0x${string}` {
  const key = `${domain.chainId}|${domain.escrow}|${config.payer}|${config.payerAuthorizer}|${config.receiver}|${config.receiverAuthorizer}|${config.token}|${config.withdrawDelay}|${config.salt}`;
  let id = channelIds.get(key);
  if (id === undefined) {
    id = channelIdOf(config, domain);
    if (channelIds.size >= CHANNEL_ID_CACHE_SIZE) {
      const oldest = channelIds.keys().next().value;
      if (oldest !== undefined) channelIds.delete(oldest);
    }
    channelIds.set(key, id);
  }
  return id;
}

/** The voucher's channel id must be the config's under this domain; undefined when it is. */
function channelMismatch(input: VoucherSignatureInput): VoucherSignatureCheck | undefined {
  const expected = cachedChannelId(input.config, input.domain);
  return expected === input.voucher.channelId.toLowerCase()
    ? undefined
    : { ok: false, reason: DeferredReason.channelIdMismatch };
}

/**
 * Checks a voucher signed by an externally owned account (no chain call; the verify hot path).
 * A contract signer (EIP-1271) fails here: use {@link verifyVoucherSignatureOnChain}.
 */
export function verifyVoucherSignature(input: VoucherSignatureInput): VoucherSignatureCheck {
  const mismatch = channelMismatch(input);
  if (mismatch) return mismatch;
  return verifyChannelVoucherSignature({
    voucher: input.voucher,
    domain: input.domain,
    signer: voucherSignerOf(input.config),
  });
}

/**
 * Checks that `signer` (an EOA: ECDSA, v 27/28, low s) signed `voucher` under `domain`, the
 * voucher's channel id being already known to be the right one. The hot path of every binding.
 */
export function verifyChannelVoucherSignature(input: {
  voucher: VoucherFields;
  domain: VoucherDomain;
  signer: `0x${string}`;
}): VoucherSignatureCheck {
  const channelId = input.voucher.channelId.toLowerCase() as `0x${string}`;
  const digest = voucherDigest(channelId, BigInt(input.voucher.maxClaimableAmount), input.domain);
  const expected = input.signer.toLowerCase() as `0x${string}`;
  const check = ecdsaSigner(digest, input.voucher.signature);
  if (!check.ok) {
    return {
      ok: false,
      reason:
        check.problem === 'high_s'
          ? DeferredReason.voucherSignatureHighS
          : DeferredReason.voucherSignature,
    };
  }
  if (check.signer !== expected) return { ok: false, reason: DeferredReason.voucherSignature };
  return { ok: true, channelId, signer: expected, digest: toHex(digest) };
}

const isValidSignatureAbi = [
  {
    type: 'function',
    name: 'isValidSignature',
    stateMutability: 'view',
    inputs: [
      { name: 'hash', type: 'bytes32' },
      { name: 'signature', type: 'bytes' },
    ],
    outputs: [{ name: '', type: 'bytes4' }],
  },
] as const;

function isRefusal(error: unknown): boolean {
  return (
    error instanceof ContractFunctionRevertedError ||
    error instanceof ContractFunctionZeroDataError ||
    error instanceof AbiDecodingZeroDataError
  );
}

/**
 * Checks a voucher as the escrow does: when the signer has code, by its EIP-1271
 * `isValidSignature` (no ECDSA fallback); otherwise as {@link verifyVoucherSignature}.
 */
export async function verifyVoucherSignatureOnChain(
  client: Pick<PublicClient, 'getCode' | 'readContract'>,
  input: VoucherSignatureInput,
): Promise<VoucherSignatureCheck> {
  const mismatch = channelMismatch(input);
  if (mismatch) return mismatch;
  const expected = voucherSignerOf(input.config);
  const code = await client.getCode({ address: expected });
  if (code === undefined || code === '0x') return verifyVoucherSignature(input);
  const channelId = input.voucher.channelId.toLowerCase() as `0x${string}`;
  const digest = toHex(
    voucherDigest(channelId, BigInt(input.voucher.maxClaimableAmount), input.domain),
  );
  let answer: string;
  try {
    answer = await client.readContract({
      address: expected,
      abi: isValidSignatureAbi,
      functionName: 'isValidSignature',
      args: [digest, input.voucher.signature],
    });
  } catch (error) {
    // A wallet that reverts or answers nothing refuses, as the escrow's staticcall sees it; an RPC
    // failure is not an answer and propagates.
    if (error instanceof BaseError && error.walk((e) => isRefusal(e)) !== null) {
      return { ok: false, reason: DeferredReason.voucherSignature };
    }
    throw error;
  }
  return answer.toLowerCase() === ERC1271_MAGIC_VALUE
    ? { ok: true, channelId, signer: expected, digest }
    : { ok: false, reason: DeferredReason.voucherSignature };
}
