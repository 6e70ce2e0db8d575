/**
 * The checks of a payment that need no chain: scheme, network, fields, time window, the EIP-712
 * digest and, for an EOA's signature, ECDSA recovery. And the comparison of the domain the payer
 * signed with against what the token says of its own, once the chain has answered.
 */
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import { getAddress, type Hex } from 'viem';
import { authorizationDigest, domainSeparator, toHex } from '../eip3009.js';
import { findAsset } from '../networks.js';
import { type ParsedPayload, parseExactEvmPayload } from '../payload.js';
import { EvmReason } from '../reasons.js';
import {
  type ClassifiedSignature,
  classifySignature,
  type EcdsaCheck,
  ecdsaSigner,
} from '../signature.js';
import type { AssetFacts, NetState, RailContext } from './context.js';
import { type Failure, fail } from './failure.js';

export interface Prechecked {
  ok: true;
  state: NetState;
  p: ParsedPayload;
  payer: Hex;
  asset: Hex;
  digest: Uint8Array;
  signature: ClassifiedSignature;
  ecdsa: EcdsaCheck | undefined;
  domain: { name: string; version: string; separator: string };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const UINT = /^(0|[1-9][0-9]{0,77})$/;

export function precheck(
  ctx: RailContext,
  payment: PaymentPayload,
  req: PaymentRequirements,
): Prechecked | Failure {
  const { options } = ctx;
  if (req.scheme !== 'exact' || payment.accepted?.scheme !== req.scheme)
    return fail(
      EvmReason.invalidScheme,
      `This facilitator settles the exact scheme, not ${req.scheme}`,
    );
  const state = ctx.nets.get(req.network);
  if (!state || payment.accepted.network !== req.network)
    return fail(EvmReason.invalidNetwork, `Network ${req.network} is not served here`);
  const p = parseExactEvmPayload(payment.payload);
  if (!p)
    return fail(EvmReason.invalidPayload, 'Not an exact-EVM payload (authorization and signature)');
  const payer = getAddress(p.from);
  if (!ADDRESS.test(req.asset))
    return fail('invalid_payment_requirements', `asset ${req.asset} is not an address`, payer);
  const listed = findAsset(state.network, req.asset);
  if (!listed && !options.acceptAnyAsset)
    return fail(
      EvmReason.assetNotAccepted,
      `${req.asset} is not an accepted asset on ${req.network}`,
      payer,
    );
  const name = req.extra?.['name'];
  const version = req.extra?.['version'];
  if (typeof name !== 'string' || typeof version !== 'string' || !name || !version)
    return fail(
      EvmReason.missingDomain,
      'requirements.extra must give the token’s EIP-712 name and version',
      payer,
    );
  if (!ADDRESS.test(req.payTo) || p.to !== req.payTo.toLowerCase())
    return fail(
      EvmReason.recipientMismatch,
      `The authorization pays ${p.to}, not ${req.payTo}`,
      payer,
    );
  if (!UINT.test(req.amount) || p.value !== BigInt(req.amount))
    return fail(
      EvmReason.valueMismatch,
      `The authorization is for ${p.value}, the price is ${req.amount}`,
      payer,
    );
  const seconds = BigInt(Math.floor(ctx.now() / 1000));
  if (p.validAfter > seconds)
    return fail(EvmReason.validAfter, `validAfter ${p.validAfter} is in the future`, payer);
  const buffer = BigInt(
    options.expiryBufferSeconds ?? Math.max(6, 2 * state.network.blockTimeSeconds),
  );
  if (p.validBefore < seconds + buffer)
    return fail(
      EvmReason.validBefore,
      `validBefore ${p.validBefore} has passed or is within ${buffer} s`,
      payer,
    );
  if (p.validBefore > seconds + BigInt(req.maxTimeoutSeconds) + BigInt(ctx.clockSkewSeconds))
    return fail(
      EvmReason.validBeforeTooFar,
      `validBefore ${p.validBefore} is more than maxTimeoutSeconds (${req.maxTimeoutSeconds} s) away`,
      payer,
    );
  const asset = getAddress(req.asset);
  const separator = domainSeparator({
    name,
    version,
    chainId: state.network.chainId,
    verifyingContract: asset,
  });
  const digest = authorizationDigest(separator, p);
  const signature = classifySignature(p.signature);
  if (!signature) return fail(EvmReason.signature, 'Malformed EIP-6492 signature wrapper', payer);
  const ecdsa = signature.deployment ? undefined : ecdsaSigner(digest, p.signature);
  return {
    ok: true,
    state,
    p,
    payer,
    asset,
    digest,
    signature,
    ecdsa,
    domain: { name, version, separator: toHex(separator) },
  };
}

/** Turns the token's answers about its domain into facts, or a failure. */
export function checkDomain(
  pre: Prechecked,
  facts: AssetFacts,
  read: { separator?: string; name?: string; version?: string } | undefined,
): Failure | undefined {
  if (read) {
    if (read.separator) facts.separator = read.separator;
    if (read.name !== undefined) facts.name = read.name;
    if (read.version !== undefined) facts.version = read.version;
  }
  const { name, version, separator } = pre.domain;
  if (facts.separator !== undefined && facts.separator === separator) return undefined;
  if (facts.name !== undefined && facts.name !== name)
    return fail(
      EvmReason.tokenNameMismatch,
      `The token’s EIP-712 name is "${facts.name}", not "${name}"`,
      pre.payer,
    );
  if (facts.version !== undefined && facts.version !== version)
    return fail(
      EvmReason.tokenVersionMismatch,
      `The token’s EIP-712 version is "${facts.version}", not "${version}"`,
      pre.payer,
    );
  if (facts.separator !== undefined)
    return fail(
      EvmReason.domainMismatch,
      'The token’s DOMAIN_SEPARATOR differs from the domain given',
      pre.payer,
    );
  return undefined; // the token tells nothing: the simulation decides
}
