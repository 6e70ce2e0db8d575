import { keccak_256 } from '@noble/hashes/sha3';
import { type Hex, hashDomain, hashTypedData } from 'viem';
import { describe, expect, it } from 'vitest';
import { authorizationDigest, domainSeparator, toHex } from './eip3009.js';
import { keccak256 } from './keccak.js';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const randomHex = (n: number) => toHex(random(n));
const uint = () => BigInt(randomHex(1 + Math.floor(Math.random() * 31)));

describe('keccak256', () => {
  it('equals @noble/hashes for every length across three blocks', () => {
    for (let len = 0; len <= 3 * 136 + 1; len++) {
      const data = random(len);
      expect(toHex(keccak256(data))).toBe(toHex(keccak_256(data)));
    }
  });
});

describe('EIP-3009 digest', () => {
  it('domain separator and digest equal viem’s generic typed-data hashing', () => {
    for (let i = 0; i < 50; i++) {
      const domain = {
        name: i % 2 ? 'USD Coin' : 'USDC',
        version: String(i % 3),
        chainId: 1 + Math.floor(Math.random() * 1e9),
        verifyingContract: randomHex(20),
      };
      const message = {
        from: randomHex(20),
        to: randomHex(20),
        value: uint(),
        validAfter: uint(),
        validBefore: uint(),
        nonce: randomHex(32),
      };
      expect(toHex(domainSeparator(domain))).toBe(
        hashDomain({
          domain: { ...domain, chainId: BigInt(domain.chainId) },
          types: {
            EIP712Domain: [
              { name: 'name', type: 'string' },
              { name: 'version', type: 'string' },
              { name: 'chainId', type: 'uint256' },
              { name: 'verifyingContract', type: 'address' },
            ],
          },
        }),
      );
      const expected = hashTypedData({
        domain,
        types: {
          TransferWithAuthorization: [
            { name: 'from', type: 'address' },
            { name: 'to', type: 'address' },
            { name: 'value', type: 'uint256' },
            { name: 'validAfter', type: 'uint256' },
            { name: 'validBefore', type: 'uint256' },
            { name: 'nonce', type: 'bytes32' },
          ],
        },
        primaryType: 'TransferWithAuthorization',
        message: message as typeof message & { nonce: Hex },
      });
      expect(toHex(authorizationDigest(domainSeparator(domain), message))).toBe(expected);
    }
  });
});
