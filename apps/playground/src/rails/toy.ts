/** The toy rail: an in-memory ledger with Ed25519 wallets, living inside the playground process. */
import {
  createToyRail,
  createToyWallet,
  TOY_ASSET,
  TOY_DECIMALS,
  TOY_SCHEME,
  type ToyExactClient,
  type ToyRail,
  type ToyWallet,
} from '@x402-rails/testkit';
import type { PlaygroundRail } from './rail.js';

export interface ToyPlaygroundRail extends PlaygroundRail {
  readonly name: 'toy';
  readonly rail: ToyRail;
  readonly agent: { readonly address: string; readonly wallet: ToyWallet; client: ToyExactClient };
  readonly merchant: ToyWallet;
}

export function createToyPlaygroundRail(agentBalance: bigint): ToyPlaygroundRail {
  const rail = createToyRail();
  const { wallet, client } = rail.fundedClient(agentBalance);
  const merchant = createToyWallet();
  const balances = () => ({
    agent: rail.chain.balanceOf(wallet.address),
    merchant: rail.chain.balanceOf(merchant.address),
  });
  return {
    name: 'toy',
    scheme: TOY_SCHEME,
    network: rail.network,
    asset: { id: TOY_ASSET, symbol: TOY_ASSET, decimals: TOY_DECIMALS },
    server: rail.server,
    facilitator: rail.facilitator,
    rail,
    agent: { address: wallet.address, wallet, client },
    merchant,
    balances: async () => balances(),
    async describe() {
      const now = balances();
      return {
        rail: {
          name: 'toy',
          network: rail.network,
          rpc: null,
          note: 'In-memory ledger inside the playground process; no chain node to connect to.',
        },
        chains: [],
        wallets: [
          {
            rail: 'toy',
            role: 'agent',
            address: wallet.address,
            secretKey: wallet.secretKey,
            balance: now.agent.toString(),
          },
          {
            rail: 'toy',
            role: 'merchant',
            address: merchant.address,
            secretKey: merchant.secretKey,
            balance: now.merchant.toString(),
          },
        ],
      };
    },
    stop: async () => {},
  };
}
