/**
 * The exact-EVM payload (`payload` of a `PaymentPayload`): an EIP-3009 authorization and the
 * payer's signature, parsed strictly and cheaply (the verify hot path).
 */
import type { Authorization } from './eip3009.js';

/** The wire form, as the x402 specification and the official SDK send it. */
export interface ExactEvmPayload {
  signature: `0x${string}`;
  authorization: {
    from: `0x${string}`;
    to: `0x${string}`;
    value: string;
    validAfter: string;
    validBefore: string;
    nonce: `0x${string}`;
  };
}

/** A parsed payload: addresses, nonce and signature lowercase. */
export interface ParsedPayload extends Authorization {
  signature: string;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const UINT = /^(0|[1-9][0-9]{0,77})$/;
const HEX = /^0x(?:[0-9a-fA-F]{2})+$/;
const MAX_UINT256 = (1n << 256n) - 1n;
/** Longest signature accepted: EIP-6492 wrappers carry factory calldata. */
export const MAX_SIGNATURE_HEX = 16_384;

function uint(value: unknown): bigint | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  }
  if (typeof value !== 'string' || !UINT.test(value)) return undefined;
  const n = BigInt(value);
  return n <= MAX_UINT256 ? n : undefined;
}

/** The payload parsed, or undefined when it is not a well-formed exact-EVM payload. */
export function parseExactEvmPayload(payload: unknown): ParsedPayload | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { signature, authorization: a } = payload as Record<string, unknown>;
  if (typeof signature !== 'string' || signature.length > MAX_SIGNATURE_HEX || !HEX.test(signature))
    return undefined;
  if (typeof a !== 'object' || a === null) return undefined;
  const { from, to, value, validAfter, validBefore, nonce } = a as Record<string, unknown>;
  if (typeof from !== 'string' || !ADDRESS.test(from)) return undefined;
  if (typeof to !== 'string' || !ADDRESS.test(to)) return undefined;
  if (typeof nonce !== 'string' || !BYTES32.test(nonce)) return undefined;
  const v = uint(value);
  const after = uint(validAfter);
  const before = uint(validBefore);
  if (v === undefined || after === undefined || before === undefined) return undefined;
  return {
    from: from.toLowerCase(),
    to: to.toLowerCase(),
    value: v,
    validAfter: after,
    validBefore: before,
    nonce: nonce.toLowerCase(),
    signature: signature.toLowerCase(),
  };
}
