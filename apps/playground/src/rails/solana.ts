/**
 * The Solana rail on a local chain: LiteSVM behind a JSON-RPC server on 127.0.0.1 (from
 * `@x402-rails/testkit/solana`) with a USDC-like mint (6 decimals), a facilitator that co-signs
 * as fee payer with a key of its own, an agent wallet funded with test USDC and a merchant wallet
 * with its token account. The chain is stopped with the playground.
 */
import { createSolanaExactClient, type SolanaExactClient } from '@x402-rails/solana/client';
import {
  createSolanaExactFacilitator,
  type SolanaExactFacilitator,
} from '@x402-rails/solana/facilitator';
import { createSolanaExactServer, defineSolanaNetwork } from '@x402-rails/solana/server';
import {
  type SolanaTestChain,
  type SolanaTestWallet,
  startSolanaTestChain,
} from '@x402-rails/testkit/solana';
import type { PlaygroundRail } from './rail.js';

/** 1,000 SOL of fee money for the facilitator's key. */
const FEE_PAYER_LAMPORTS = 1_000n * 10n ** 9n;

export interface SolanaPlaygroundRail extends PlaygroundRail {
  readonly name: 'solana';
  readonly chain: SolanaTestChain;
  readonly facilitator: SolanaExactFacilitator;
  readonly agent: {
    readonly address: string;
    readonly wallet: SolanaTestWallet;
    readonly client: SolanaExactClient;
  };
  readonly merchant: SolanaTestWallet;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Starts the local Solana and funds the wallets; closes it if any step fails. */
export async function startSolanaPlaygroundRail(
  agentBalance: bigint,
): Promise<SolanaPlaygroundRail> {
  const chain = await startSolanaTestChain();
  try {
    return await onChain(chain, agentBalance);
  } catch (error) {
    await chain.close();
    throw error;
  }
}

async function onChain(
  chain: SolanaTestChain,
  agentBalance: bigint,
): Promise<SolanaPlaygroundRail> {
  const network = defineSolanaNetwork({
    genesisHash: chain.genesisHash,
    name: 'Local Solana (LiteSVM)',
    rpcUrl: chain.rpcUrl,
    usdc: chain.usdc,
  });
  const agent = await chain.newWallet({ usdc: agentBalance });
  const merchant = await chain.newWallet({ usdc: 0n });
  const feePayer = await chain.newWallet({ sol: FEE_PAYER_LAMPORTS });
  const facilitator = createSolanaExactFacilitator({
    networks: [{ ...network, pollIntervalMs: 5 }],
    signers: [feePayer.secretKey],
  });
  const balances = async () => {
    const [agentUsdc, merchantUsdc] = await Promise.all([
      chain.tokenBalanceOf(agent.address),
      chain.tokenBalanceOf(merchant.address),
    ]);
    return { agent: agentUsdc, merchant: merchantUsdc };
  };

  return {
    name: 'solana',
    scheme: 'exact',
    network: network.id,
    asset: { id: chain.usdc, symbol: 'USDC', decimals: 6 },
    server: createSolanaExactServer({ networks: [network], feePayer: feePayer.address }),
    facilitator,
    chain,
    agent: {
      address: agent.address,
      wallet: agent,
      client: createSolanaExactClient({
        signer: agent.secretKey,
        networks: [network],
        payOn: [network.id],
      }),
    },
    merchant,
    balances,
    async describe() {
      const now = await balances();
      return {
        rail: {
          name: 'solana',
          network: network.id,
          rpc: chain.rpcUrl,
          note: `LiteSVM behind a Solana JSON-RPC server on this machine, stopped with the playground; test USDC (6 decimals) at ${chain.usdc}; fees paid by the facilitator's key ${feePayer.address}.`,
        },
        chains: [{ rail: 'solana', network: network.id, rpcUrl: chain.rpcUrl, token: chain.usdc }],
        wallets: [
          {
            rail: 'solana',
            role: 'agent',
            address: agent.address,
            secretKey: hex(agent.secretKey),
            balance: now.agent.toString(),
          },
          {
            rail: 'solana',
            role: 'merchant',
            address: merchant.address,
            secretKey: hex(merchant.secretKey),
            balance: now.merchant.toString(),
          },
        ],
      };
    },
    stop: () => chain.close(),
  };
}
