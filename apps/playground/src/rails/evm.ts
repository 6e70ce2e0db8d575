/**
 * The EVM rail on a local chain: Anvil on 127.0.0.1 with the EIP-3009 test USDC ("USD Coin",
 * version 2, 6 decimals), a facilitator paying gas from keys of its own, an agent wallet funded
 * with test USDC and a merchant wallet. The chain is stopped with the playground.
 */
import { createEvmExactClient, type EvmExactClient } from '@x402-rails/evm/client';
import { createEvmExactFacilitator, type EvmExactFacilitator } from '@x402-rails/evm/facilitator';
import { createEvmExactServer, defineEvmNetwork } from '@x402-rails/evm/server';
import {
  type EvmTestChain,
  startEvmTestChain,
  TEST_USDC,
  type TestWalletKey,
} from '@x402-rails/testkit/anvil';
import type { PlaygroundRail } from './rail.js';

/** Facilitator keys: several, so settlements pipeline (each key has its own nonce). */
export const FACILITATOR_KEY_COUNT = 3;
/** 100 ETH of gas money per facilitator key. */
const FACILITATOR_KEY_ETH = 100n * 10n ** 18n;

export interface EvmPlaygroundRail extends PlaygroundRail {
  readonly name: 'evm';
  readonly chain: EvmTestChain;
  readonly facilitator: EvmExactFacilitator;
  readonly agent: {
    readonly address: string;
    readonly wallet: TestWalletKey;
    readonly client: EvmExactClient;
  };
  readonly merchant: TestWalletKey;
}

/** Starts Anvil, deploys the test USDC and funds the wallets; stops the node if any step fails. */
export async function startEvmPlaygroundRail(agentBalance: bigint): Promise<EvmPlaygroundRail> {
  const chain = await startEvmTestChain();
  try {
    return await onChain(chain, agentBalance);
  } catch (error) {
    await chain.stop();
    throw error;
  }
}

async function onChain(chain: EvmTestChain, agentBalance: bigint): Promise<EvmPlaygroundRail> {
  const network = {
    id: chain.network,
    name: 'Anvil',
    blockTimeSeconds: 1,
    usdc: { ...TEST_USDC, address: chain.token },
  };
  // The token as the requirements name it (EIP-55 checksummed; the deployment gives it lowercase).
  const token = defineEvmNetwork(network).usdc.address;
  const [agent, merchant, facilitatorKeys] = await Promise.all([
    chain.newWallet({ usdc: agentBalance }),
    chain.newWallet(),
    // newWallet funds each key with chain.setEth; these keys serve this facilitator only.
    Promise.all(
      Array.from({ length: FACILITATOR_KEY_COUNT }, () =>
        chain.newWallet({ eth: FACILITATOR_KEY_ETH }),
      ),
    ),
  ]);
  const facilitator = createEvmExactFacilitator({
    networks: [
      { ...network, rpcUrl: chain.rpcUrl, pollingIntervalMs: 5, sendRawTransactionSync: true },
    ],
    signers: facilitatorKeys.map((key) => key.privateKey),
  });
  const balances = async () => {
    const [agentUsdc, merchantUsdc] = await Promise.all([
      chain.balanceOf(agent.address),
      chain.balanceOf(merchant.address),
    ]);
    return { agent: agentUsdc, merchant: merchantUsdc };
  };

  return {
    name: 'evm',
    scheme: 'exact',
    network: chain.network,
    asset: { id: token, symbol: TEST_USDC.symbol, decimals: TEST_USDC.decimals },
    server: createEvmExactServer({ networks: [network] }),
    facilitator,
    chain,
    agent: {
      address: agent.address,
      wallet: agent,
      client: createEvmExactClient({ signer: agent.account, networks: [chain.network] }),
    },
    merchant,
    balances,
    async describe() {
      const now = await balances();
      return {
        rail: {
          name: 'evm',
          network: chain.network,
          rpc: chain.rpcUrl,
          note: `Anvil on this machine, stopped with the playground; test USDC (EIP-3009, "${TEST_USDC.name}" version ${TEST_USDC.version}) at ${token}.`,
        },
        chains: [{ rail: 'evm', network: chain.network, rpcUrl: chain.rpcUrl, token }],
        wallets: [
          {
            rail: 'evm',
            role: 'agent',
            address: agent.address,
            privateKey: agent.privateKey,
            balance: now.agent.toString(),
          },
          {
            rail: 'evm',
            role: 'merchant',
            address: merchant.address,
            privateKey: merchant.privateKey,
            balance: now.merchant.toString(),
          },
        ],
      };
    },
    stop: () => chain.stop(),
  };
}
