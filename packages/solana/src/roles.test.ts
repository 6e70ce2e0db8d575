/** Server requirements, the network table and the client's canPay, without a chain. */
import type { RequirementsContext } from '@x402-rails/core';
import { describe, expect, it } from 'vitest';
import { createSolanaExactClient } from './client.js';
import { defineSolanaNetwork, SOLANA_NETWORKS } from './networks.js';
import { createSolanaExactServer } from './server.js';

const FEE_PAYER = 'EwWqGE4ZFKLofuestmU4LDdK7XM1N4ALgdZccwYugwGd';
const PAY_TO = '2wKupLR9q6wXYppw8Gr2NvWxKBUqm4PPJKkQfoxHDBg4';

const context = (over: Partial<RequirementsContext> = {}): RequirementsContext => ({
  scheme: 'exact',
  network: SOLANA_NETWORKS.devnet.id,
  price: { money: '$0.01' },
  payTo: PAY_TO,
  maxTimeoutSeconds: 60,
  request: new Request('http://127.0.0.1/x'),
  ...over,
});

describe('Solana exact server', () => {
  it('prices in the network’s USDC with the fee payer in extra', async () => {
    const server = createSolanaExactServer({ feePayer: FEE_PAYER });
    expect(await server.requirements(context())).toEqual({
      scheme: 'exact',
      network: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
      amount: '10000',
      asset: '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU',
      payTo: PAY_TO,
      maxTimeoutSeconds: 60,
      extra: { feePayer: FEE_PAYER },
    });
    expect(
      server.describe?.(
        await server.requirements(context({ network: SOLANA_NETWORKS.mainnet.id })),
      ),
    ).toEqual({ amount: '0.01', symbol: 'USDC', networkName: 'Solana' });
  });

  it('learns the fee payer from the facilitator’s /supported, once per network', async () => {
    let asked = 0;
    const server = createSolanaExactServer({
      facilitator: {
        async supported() {
          asked += 1;
          return {
            kinds: [
              {
                x402Version: 2,
                scheme: 'exact',
                network: SOLANA_NETWORKS.devnet.id,
                extra: { feePayer: FEE_PAYER },
              },
            ],
            extensions: [],
            signers: {},
          };
        },
      },
    });
    const a = await server.requirements(context());
    const b = await server.requirements(context({ extra: { memo: 'inv-7' } }));
    expect(a.extra).toEqual({ feePayer: FEE_PAYER });
    expect(b.extra).toEqual({ memo: 'inv-7', feePayer: FEE_PAYER });
    expect(asked).toBe(1);
  });

  it('refuses what it cannot offer: no fee payer, no testnet USDC, bad payTo, long memo', async () => {
    await expect(createSolanaExactServer().requirements(context())).rejects.toThrow(/fee payer/);
    const server = createSolanaExactServer({ feePayer: FEE_PAYER });
    await expect(
      server.requirements(context({ network: SOLANA_NETWORKS.testnet.id })),
    ).rejects.toThrow(/no default USDC/);
    await expect(server.requirements(context({ payTo: '0xabc' }))).rejects.toThrow(/payTo/);
    await expect(
      server.requirements(context({ extra: { memo: 'x'.repeat(257) } })),
    ).rejects.toThrow(/memo/);
    await expect(
      server.requirements(context({ network: 'solana:unknown' as never })),
    ).rejects.toThrow(/Unknown Solana network/);
  });
});

describe('Solana networks', () => {
  it('derives a custom network’s id from its genesis hash and keeps built-in facts on override', () => {
    const local = defineSolanaNetwork({
      genesisHash: 'GHtXQBsoZHVnNFa9YevAzFr17DJjgHXk3ycTKD5xD3Zi',
      rpcUrl: 'http://127.0.0.1:8899',
      usdc: PAY_TO,
    });
    expect(local.id).toBe('solana:GHtXQBsoZHVnNFa9YevAzFr17DJjgHXk3ycTKD5xD3Zi'.slice(0, 39));
    expect(local.usdc).toMatchObject({ address: PAY_TO, decimals: 6, symbol: 'USDC' });
    const devnet = defineSolanaNetwork({
      id: SOLANA_NETWORKS.devnet.id,
      rpcUrl: 'http://127.0.0.1:1',
    });
    expect(devnet.usdc?.address).toBe(SOLANA_NETWORKS.devnet.usdc.address);
    expect(() => defineSolanaNetwork({ id: 'solana:short' })).toThrow(/genesis hash/);
    expect(() =>
      defineSolanaNetwork({
        genesisHash: 'GHtXQBsoZHVnNFa9YevAzFr17DJjgHXk3ycTKD5xD3Zi',
        usdc: { address: PAY_TO, tokenProgram: PAY_TO },
      }),
    ).toThrow(/Token-2022/);
  });
});

describe('Solana exact client', () => {
  const client = createSolanaExactClient({ signer: new Uint8Array(32).fill(1) });
  const req = {
    scheme: 'exact',
    network: SOLANA_NETWORKS.devnet.id,
    amount: '10000',
    asset: SOLANA_NETWORKS.devnet.usdc.address,
    payTo: PAY_TO,
    maxTimeoutSeconds: 60,
    extra: { feePayer: FEE_PAYER },
  };
  it('pays exact-SVM requirements and nothing else', () => {
    expect(client.canPay?.(req)).toBe(true);
    expect(client.canPay?.({ ...req, extra: {} })).toBe(false);
    expect(client.canPay?.({ ...req, extra: { feePayer: client.address } })).toBe(false);
    expect(client.canPay?.({ ...req, amount: '0' })).toBe(false);
    expect(client.canPay?.({ ...req, amount: (1n << 64n).toString() })).toBe(false);
    expect(client.canPay?.({ ...req, network: 'eip155:8453' })).toBe(false);
    expect(client.canPay?.({ ...req, scheme: 'upto' })).toBe(false);
  });
});
