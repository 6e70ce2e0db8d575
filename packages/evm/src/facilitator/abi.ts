/** The contract interfaces the facilitator calls, and cheap encoders for its hot calls. */
import {
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
  parseAbi,
  toEventSelector,
  toFunctionSelector,
} from 'viem';
import type { Authorization } from '../eip3009.js';
import { splitSignature } from '../signature.js';

export const tokenAbi = parseAbi([
  'function authorizationState(address authorizer, bytes32 nonce) view returns (bool)',
  'function balanceOf(address account) view returns (uint256)',
  'function DOMAIN_SEPARATOR() view returns (bytes32)',
  'function name() view returns (string)',
  'function version() view returns (string)',
  'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, uint8 v, bytes32 r, bytes32 s)',
  'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes signature)',
]);

export const multicall3Abi = parseAbi([
  'struct Call3 { address target; bool allowFailure; bytes callData; }',
  'struct Result { bool success; bytes returnData; }',
  'function aggregate3(Call3[] calls) payable returns (Result[] returnData)',
]);

const SELECTOR = {
  authorizationState: toFunctionSelector('authorizationState(address,bytes32)').slice(2),
  balanceOf: toFunctionSelector('balanceOf(address)').slice(2),
  domainSeparator: toFunctionSelector('DOMAIN_SEPARATOR()'),
  name: toFunctionSelector('name()'),
  version: toFunctionSelector('version()'),
  isValidSignature: toFunctionSelector('isValidSignature(bytes32,bytes)'),
};

/** Event topics: the ERC-20 Transfer and the EIP-3009 events. */
export const TOPIC = {
  transfer: toEventSelector('Transfer(address,address,uint256)'),
  authorizationUsed: toEventSelector('AuthorizationUsed(address,bytes32)'),
  authorizationCanceled: toEventSelector('AuthorizationCanceled(address,bytes32)'),
};

const erc1271Abi = parseAbi([
  'function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)',
]);

export const ERC1271_MAGIC = '0x1626ba7e';

const word = (hex: string) => hex.slice(2).padStart(64, '0');

export const encode = {
  authorizationState: (from: string, nonce: string) =>
    `0x${SELECTOR.authorizationState}${word(from)}${nonce.slice(2)}` as Hex,
  balanceOf: (from: string) => `0x${SELECTOR.balanceOf}${word(from)}` as Hex,
  domainSeparator: () => SELECTOR.domainSeparator,
  name: () => SELECTOR.name,
  version: () => SELECTOR.version,
  isValidSignature: (digest: Hex, signature: Hex) =>
    encodeFunctionData({
      abi: erc1271Abi,
      functionName: 'isValidSignature',
      args: [digest, signature],
    }),
  aggregate3: (calls: readonly { target: Hex; allowFailure: boolean; callData: Hex }[]) =>
    encodeFunctionData({ abi: multicall3Abi, functionName: 'aggregate3', args: [calls] }),
};

/**
 * `transferWithAuthorization` calldata: the v,r,s overload for an EOA's 65-byte signature (every
 * USDC version has it), the bytes overload for contract wallets and other signatures (USDC ≥ 2.2).
 */
export function transferWithAuthorizationData(
  a: Authorization,
  signature: Hex,
  contractWallet = false,
): Hex {
  const base = [
    a.from as Hex,
    a.to as Hex,
    a.value,
    a.validAfter,
    a.validBefore,
    a.nonce as Hex,
  ] as const;
  if (signature.length === 132 && !contractWallet) {
    const { v, r, s } = splitSignature(signature);
    return encodeFunctionData({
      abi: tokenAbi,
      functionName: 'transferWithAuthorization',
      args: [...base, v, r, s],
    });
  }
  return encodeFunctionData({
    abi: tokenAbi,
    functionName: 'transferWithAuthorization',
    args: [...base, signature],
  });
}

export function decodeAggregate3(data: Hex): readonly { success: boolean; returnData: Hex }[] {
  return decodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', data });
}

export function decodeUint(data: string | undefined): bigint | undefined {
  return data && data.length >= 66 ? BigInt(data.slice(0, 66)) : undefined;
}

export function decodeBool(data: string | undefined): boolean | undefined {
  const n = decodeUint(data);
  return n === undefined ? undefined : n !== 0n;
}

/** An ABI-encoded `string` return value. */
export function decodeString(data: string | undefined): string | undefined {
  if (!data || data.length < 130) return undefined;
  try {
    const offset = Number(BigInt(`0x${data.slice(2, 66)}`));
    const start = 2 + offset * 2;
    const length = Number(BigInt(`0x${data.slice(start, start + 64)}`));
    const bytes = data.slice(start + 64, start + 64 + length * 2);
    if (bytes.length !== length * 2) return undefined;
    return Buffer.from(bytes, 'hex').toString('utf8');
  } catch {
    return undefined;
  }
}

/** The message of an `Error(string)` revert, or a short description of other revert data. */
export function revertMessage(data: unknown): string | undefined {
  if (typeof data !== 'string' || !data.startsWith('0x') || data.length < 10) return undefined;
  if (data.startsWith('0x08c379a0')) return decodeString(`0x${data.slice(10)}`);
  if (data.startsWith('0x4e487b71')) return `panic ${decodeUint(`0x${data.slice(10)}`)}`;
  return `custom error ${data.slice(0, 10)}`;
}
