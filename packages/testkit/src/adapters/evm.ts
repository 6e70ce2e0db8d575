/**
 * The EVM rail on Anvil as a `RailUnderTest`. testkit cannot depend on `@x402-rails/evm` (evm's
 * tests depend on testkit), so the caller passes the rail's three factories in.
 */
import type { SchemeClient, SchemeFacilitator, SchemeServer } from '@x402-rails/core';
import type { Address, Hex, LocalAccount } from 'viem';
import { startEvmTestChain, TEST_USDC } from '../anvil/chain.js';
import type { RailUnderTest } from './harness.js';

export interface EvmTestNetwork {
  id: `eip155:${number}`;
  blockTimeSeconds: number;
  usdc: {
    address: Address;
    name: string;
    version: string;
    symbol: string;
    decimals: number;
  };
}

/** The factories of `@x402-rails/evm`'s client, server and facilitator subpaths. */
export interface EvmRailFactories {
  createEvmExactClient(options: { signer: LocalAccount }): SchemeClient;
  createEvmExactServer(options: { networks: readonly EvmTestNetwork[] }): SchemeServer;
  createEvmExactFacilitator(options: {
    networks: readonly (EvmTestNetwork & { rpcUrl: string; pollingIntervalMs: number })[];
    signers: readonly Hex[];
  }): SchemeFacilitator;
}

/**
 * @example
 * import { createEvmExactClient } from '@x402-rails/evm/client';
 * // ...server, facilitator likewise
 * runAdapterBehaviour({ name: 'express', start, rails: async () => [await startEvmRailUnderTest({ createEvmExactClient, createEvmExactServer, createEvmExactFacilitator })] });
 */
export async function startEvmRailUnderTest(factories: EvmRailFactories): Promise<RailUnderTest> {
  const chain = await startEvmTestChain();
  try {
    const network: EvmTestNetwork = {
      id: chain.network,
      blockTimeSeconds: 1,
      usdc: { ...TEST_USDC, address: chain.token },
    };
    const [payer, gas, merchant] = [
      await chain.newWallet({ usdc: 1_000_000n }),
      await chain.newWallet(),
      await chain.newWallet(),
    ];
    return {
      name: `evm exact on ${chain.network}`,
      server: factories.createEvmExactServer({ networks: [network] }),
      facilitator: factories.createEvmExactFacilitator({
        networks: [{ ...network, rpcUrl: chain.rpcUrl, pollingIntervalMs: 5 }],
        signers: [gas.privateKey],
      }),
      accept: { scheme: 'exact', network: chain.network, price: '$0.01', payTo: merchant.address },
      payer: factories.createEvmExactClient({ signer: payer.account }),
      stop: () => chain.stop(),
    };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}
