/** The network table, the server's requirements and payment id, and the client's signers — no chain. */
import type { PaymentPayload } from '@x402-rails/core';
import { createWalletClient, getAddress, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { createEvmExactClient } from './client.js';
import { createEvmExactFacilitator } from './facilitator.js';
import { defineEvmNetwork, EVM_NETWORKS, evmNetworkTable, exactEvmPaymentId } from './index.js';
import { createEvmExactServer } from './server.js';

const request = new Request('http://127.0.0.1/r');
const merchant = privateKeyToAccount(generatePrivateKey()).address;

describe('network table', () => {
  it('has the issue’s networks, one entry each, with checksummed USDC addresses', () => {
    const ids = EVM_NETWORKS.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        'eip155:8453',
        'eip155:84532',
        'eip155:1',
        'eip155:11155111',
        'eip155:42161',
        'eip155:421614',
        'eip155:10',
        'eip155:11155420',
        'eip155:137',
        'eip155:80002',
        'eip155:43114',
        'eip155:43113',
      ]),
    );
    for (const n of EVM_NETWORKS) {
      expect(n.id).toBe(`eip155:${n.chainId}`);
      expect(n.usdc.address).toBe(getAddress(n.usdc.address));
      expect(n.usdc).toMatchObject({ symbol: 'USDC', decimals: 6, version: '2' });
      expect(['USD Coin', 'USDC']).toContain(n.usdc.name);
    }
  });

  it('adds a custom network in one entry, and overrides a built-in one', () => {
    const token = privateKeyToAccount(generatePrivateKey()).address;
    const table = evmNetworkTable([
      {
        id: 'eip155:31337',
        usdc: { address: token, symbol: 'USDC', decimals: 6, name: 'USD Coin', version: '2' },
      },
      { id: 'eip155:8453', blockTimeSeconds: 1 },
    ]);
    expect(table.get('eip155:31337')?.usdc.address).toBe(token);
    expect(table.get('eip155:8453')).toMatchObject({ name: 'Base', blockTimeSeconds: 1 });
    expect(() => defineEvmNetwork({ id: 'eip155:777' })).toThrow(/usdc/);
    expect(() => defineEvmNetwork({ id: 'solana:x' })).toThrow(/eip155/);
  });
});

describe('server', () => {
  const server = createEvmExactServer();
  it('prices in USDC with the token’s EIP-712 domain in extra', async () => {
    const req = await server.requirements({
      scheme: 'exact',
      network: 'eip155:8453',
      price: { money: '$0.01' },
      payTo: merchant.toLowerCase(),
      maxTimeoutSeconds: 60,
      request,
    });
    expect(req).toEqual({
      scheme: 'exact',
      network: 'eip155:8453',
      amount: '10000',
      asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
      payTo: merchant,
      maxTimeoutSeconds: 60,
      extra: { name: 'USD Coin', version: '2' },
    });
    expect(server.describe?.(req)).toEqual({ amount: '0.01', symbol: 'USDC', networkName: 'Base' });
  });

  it('refuses what it cannot price', async () => {
    const base = {
      scheme: 'exact',
      maxTimeoutSeconds: 60,
      request,
      price: { money: '$0.01' },
    } as const;
    await expect(async () =>
      server.requirements({ ...base, network: 'eip155:999', payTo: merchant }),
    ).rejects.toThrow(/Unknown EVM network/);
    await expect(async () =>
      server.requirements({ ...base, network: 'eip155:8453', payTo: 'nope' }),
    ).rejects.toThrow(/not an EVM address/);
    await expect(async () =>
      server.requirements({
        ...base,
        network: 'eip155:8453',
        payTo: merchant,
        price: { atomic: { amount: '1', asset: merchant } },
      }),
    ).rejects.toThrow(/EIP-712 name and version/);
  });
});

describe('client', () => {
  const requirements = {
    scheme: 'exact',
    network: 'eip155:8453',
    amount: '10000',
    asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    payTo: merchant,
    maxTimeoutSeconds: 60,
    extra: { name: 'USD Coin', version: '2' },
  } as const;
  const facilitator = createEvmExactFacilitator({
    networks: [{ id: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' }],
    signers: [generatePrivateKey()],
  });

  it('signs with a local account, a typed-data-only signer and a wallet client alike', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const wallet = createWalletClient({ account, transport: http('http://127.0.0.1:9') });
    const signers = [
      account,
      { address: account.address, signTypedData: account.signTypedData },
      wallet,
    ];
    for (const signer of signers) {
      const client = createEvmExactClient({ signer, now: () => 1_700_000_000_000 });
      const { payload } = await client.create({ requirements, resource: { url: 'http://x' } });
      const auth = (payload as { authorization: Record<string, string> }).authorization;
      expect(auth).toMatchObject({
        from: account.address,
        to: merchant,
        value: '10000',
        validAfter: String(1_700_000_000 - 30),
        validBefore: String(1_700_000_000 + 60),
      });
      expect(auth['nonce']).toMatch(/^0x[0-9a-f]{64}$/);
      const paid: PaymentPayload = { x402Version: 2, accepted: requirements, payload };
      const timed = createEvmExactFacilitator({
        networks: [{ id: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' }],
        signers: [generatePrivateKey()],
        now: () => 1_700_000_000_000,
      });
      expect(timed.verifyOffchain(paid, requirements)).toEqual({
        isValid: true,
        payer: account.address,
      });
      expect(exactEvmPaymentId(paid)).toBe(
        `eip155:8453:${requirements.asset.toLowerCase()}:${account.address.toLowerCase()}:${auth['nonce']}`,
      );
    }
    expect(facilitator.signers?.()['eip155:*']).toHaveLength(1);
  });

  it('pays only what it can: exact, eip155, an EIP-3009 domain', () => {
    const client = createEvmExactClient({ signer: privateKeyToAccount(generatePrivateKey()) });
    expect(client.canPay?.(requirements)).toBe(true);
    expect(client.canPay?.({ ...requirements, network: 'solana:x' })).toBe(false);
    expect(client.canPay?.({ ...requirements, extra: {} })).toBe(false);
    expect(
      client.canPay?.({
        ...requirements,
        extra: { ...requirements.extra, assetTransferMethod: 'permit2' },
      }),
    ).toBe(false);
  });
});
