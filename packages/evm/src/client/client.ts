/**
 * Client role of the EVM exact rail: signs an EIP-3009 `TransferWithAuthorization` for the
 * requirements with any viem account or wallet client.
 *
 * Time window: `validAfter` is back-dated by `clockSkewSeconds` (default 30) so a facilitator or
 * chain whose clock runs behind ours still accepts the authorization at once; `validBefore` is now
 * plus the requirements' `maxTimeoutSeconds`, the longest a facilitator accepts.
 */
import { randomBytes } from 'node:crypto';
import type {
  CreatePaymentContext,
  NetworkPattern,
  PaymentRequirements,
  SchemeClient,
} from '@x402-rails/core';
import { networkMatches, X402Error } from '@x402-rails/core';
import { getAddress, type Hex, type LocalAccount, type WalletClient } from 'viem';
import { authorizationDigest, domainSeparator, toHex } from '../eip3009.js';
import { chainIdOf } from '../networks.js';
import type { ExactEvmPayload } from '../payload.js';

/** A viem local account, a JSON-RPC account, or a wallet client with an account. */
export type EvmPayer =
  | (Pick<LocalAccount, 'address' | 'signTypedData'> & { sign?: LocalAccount['sign'] })
  | WalletClient;

export interface EvmExactClientOptions {
  signer: EvmPayer;
  /** Networks to pay on (default every `eip155:*`). */
  networks?: readonly NetworkPattern[];
  /** Seconds `validAfter` is back-dated (default 30). */
  clockSkewSeconds?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

export interface EvmExactClient extends SchemeClient {
  readonly address: Hex;
}

const TYPES = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function isWalletClient(signer: EvmPayer): signer is WalletClient {
  return 'transport' in signer && 'request' in signer;
}

/**
 * @example
 * const client = createEvmExactClient({ signer: privateKeyToAccount(key) });
 * const agent = createPaymentClient({ schemes: [client] });
 */
export function createEvmExactClient(options: EvmExactClientOptions): EvmExactClient {
  const { signer } = options;
  const now = options.now ?? Date.now;
  const skew = BigInt(options.clockSkewSeconds ?? 30);
  const patterns = options.networks ?? ['eip155:*'];
  let address: Hex;
  let sign: (req: PaymentRequirements, message: ExactEvmPayload['authorization']) => Promise<Hex>;

  if (isWalletClient(signer)) {
    const account = signer.account;
    if (!account)
      throw new X402Error('invalid_config', { message: 'The wallet client has no account' });
    address = account.address;
    sign = (req, m) =>
      signer.signTypedData({
        account,
        domain: domainOf(req),
        types: TYPES,
        primaryType: 'TransferWithAuthorization',
        message: messageOf(m),
      });
  } else if (signer.sign) {
    // A local key signs the digest directly: no generic typed-data hashing.
    const signHash = signer.sign;
    address = signer.address;
    sign = (req, m) => {
      const separator = domainSeparator({
        name: String(req.extra?.['name']),
        version: String(req.extra?.['version']),
        chainId: chainIdOf(req.network) as number,
        verifyingContract: req.asset,
      });
      const digest = authorizationDigest(separator, messageOf(m));
      return signHash({ hash: toHex(digest) });
    };
  } else {
    address = signer.address;
    sign = (req, m) =>
      signer.signTypedData({
        domain: domainOf(req),
        types: TYPES,
        primaryType: 'TransferWithAuthorization',
        message: messageOf(m),
      });
  }

  return {
    scheme: 'exact',
    networks: patterns,
    address,
    canPay(req) {
      const method = req.extra?.['assetTransferMethod'];
      return (
        req.scheme === 'exact' &&
        patterns.some((p) => networkMatches(p, req.network)) &&
        chainIdOf(req.network) !== undefined &&
        ADDRESS.test(req.asset) &&
        ADDRESS.test(req.payTo) &&
        /^[1-9][0-9]*$/.test(req.amount) &&
        typeof req.extra?.['name'] === 'string' &&
        typeof req.extra?.['version'] === 'string' &&
        (method === undefined || method === 'eip3009')
      );
    },
    async create({ requirements }: CreatePaymentContext) {
      if (!this.canPay?.(requirements)) {
        throw new X402Error('invalid_payment_requirements', {
          message: 'These requirements are not an exact-EVM EIP-3009 payment this client can sign',
        });
      }
      const seconds = BigInt(Math.floor(now() / 1000));
      const validAfter = seconds > skew ? seconds - skew : 0n;
      const authorization: ExactEvmPayload['authorization'] = {
        from: address,
        to: getAddress(requirements.payTo),
        value: requirements.amount,
        validAfter: validAfter.toString(),
        validBefore: (seconds + BigInt(requirements.maxTimeoutSeconds)).toString(),
        nonce: `0x${randomBytes(32).toString('hex')}`,
      };
      const signature = await sign(requirements, authorization);
      const payload: ExactEvmPayload = { signature, authorization };
      return { payload: payload as unknown as Record<string, unknown> };
    },
  };
}

function domainOf(req: PaymentRequirements) {
  return {
    name: String(req.extra?.['name']),
    version: String(req.extra?.['version']),
    chainId: chainIdOf(req.network) as number,
    verifyingContract: getAddress(req.asset),
  };
}

function messageOf(m: ExactEvmPayload['authorization']) {
  return {
    from: m.from,
    to: m.to,
    value: BigInt(m.value),
    validAfter: BigInt(m.validAfter),
    validBefore: BigInt(m.validBefore),
    nonce: m.nonce,
  };
}
