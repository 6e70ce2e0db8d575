/**
 * The EVM network table: CAIP-2 `eip155:<chainId>` networks with their USDC (address, decimals,
 * EIP-712 domain name and version). Adding a network is one entry; deployments add custom networks
 * and assets by configuration (`defineEvmNetwork`).
 *
 * Sources, checked for this table:
 * - addresses: Circle's "USDC Contract Addresses" page (developers.circle.com/stablecoins/usdc-contract-addresses),
 *   cross-checked with the official x402 SDKs' asset tables (coinbase/x402: typescript/packages/mechanisms/evm
 *   `defaultAssets.ts`, go/mechanisms/evm/constants.go, python/x402/mechanisms/evm/constants.py, and the legacy
 *   typescript/packages/legacy/x402 `config.ts`) and Gelato's USDC address list (docs.gelato.cloud);
 * - EIP-712 names and versions: the same x402 tables where they list the chain (they are what the tokens' `name()`
 *   and `version()` return, which is what signatures must use), peanutprotocol/peanut-sdk `eip712domains.ts`
 *   (Arbitrum One, Optimism), and for the testnets not in the x402 tables (Ethereum Sepolia, OP Sepolia, Polygon
 *   Amoy) the legacy x402 config (Amoy) and public token configurations. The facilitator does not trust this
 *   table blindly: it compares each token's own `DOMAIN_SEPARATOR()` with the one the domain yields, so a wrong
 *   entry is refused with a named reason instead of failing on chain.
 */
import { ConfigError, type Network, parseNetwork } from '@x402-rails/core';
import { type Address, getAddress, isAddress } from 'viem';

/** An EIP-3009 token on one network. */
export interface EvmAsset {
  address: Address;
  symbol: string;
  decimals: number;
  /** EIP-712 domain name: what the token's `name()` returns (e.g. "USD Coin" or "USDC"). */
  name: string;
  /** EIP-712 domain version (USDC: "2"). */
  version: string;
}

export interface EvmNetwork {
  id: `eip155:${number}`;
  chainId: number;
  name: string;
  testnet: boolean;
  /** Typical seconds between blocks: sizes the expiry buffer and the receipt polling. */
  blockTimeSeconds: number;
  /** The asset a human price ("$0.01") is paid in. */
  usdc: EvmAsset;
  /** Other EIP-3009 assets accepted on this network. */
  assets?: readonly EvmAsset[];
  /** Multicall3, when deployed (default: the canonical address; `null`: none, reads go as a JSON-RPC batch). */
  multicall3?: Address | null;
}

/** The canonical Multicall3 address (the same on every chain where it is deployed). */
export const MULTICALL3: Address = '0xcA11bde05977b3631167028862bE2a173976CA11';

const usdc = (address: Address, name: 'USD Coin' | 'USDC'): EvmAsset => ({
  address,
  symbol: 'USDC',
  decimals: 6,
  name,
  version: '2',
});

/** The built-in networks. Each is one entry. */
export const EVM_NETWORKS: readonly EvmNetwork[] = [
  {
    id: 'eip155:8453',
    chainId: 8453,
    name: 'Base',
    testnet: false,
    blockTimeSeconds: 2,
    usdc: usdc('0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', 'USD Coin'),
  },
  {
    id: 'eip155:84532',
    chainId: 84532,
    name: 'Base Sepolia',
    testnet: true,
    blockTimeSeconds: 2,
    usdc: usdc('0x036CbD53842c5426634e7929541eC2318f3dCF7e', 'USDC'),
  },
  {
    id: 'eip155:1',
    chainId: 1,
    name: 'Ethereum',
    testnet: false,
    blockTimeSeconds: 12,
    usdc: usdc('0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', 'USD Coin'),
  },
  {
    id: 'eip155:11155111',
    chainId: 11155111,
    name: 'Ethereum Sepolia',
    testnet: true,
    blockTimeSeconds: 12,
    usdc: usdc('0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238', 'USDC'),
  },
  {
    id: 'eip155:42161',
    chainId: 42161,
    name: 'Arbitrum One',
    testnet: false,
    blockTimeSeconds: 1,
    usdc: usdc('0xaf88d065e77c8cC2239327C5EDb3A432268e5831', 'USD Coin'),
  },
  {
    id: 'eip155:421614',
    chainId: 421614,
    name: 'Arbitrum Sepolia',
    testnet: true,
    blockTimeSeconds: 1,
    usdc: usdc('0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d', 'USD Coin'),
  },
  {
    id: 'eip155:10',
    chainId: 10,
    name: 'OP Mainnet',
    testnet: false,
    blockTimeSeconds: 2,
    usdc: usdc('0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85', 'USD Coin'),
  },
  {
    id: 'eip155:11155420',
    chainId: 11155420,
    name: 'OP Sepolia',
    testnet: true,
    blockTimeSeconds: 2,
    usdc: usdc('0x5fd84259d66Cd46123540766Be93DFE6D43130D7', 'USDC'),
  },
  {
    id: 'eip155:137',
    chainId: 137,
    name: 'Polygon',
    testnet: false,
    blockTimeSeconds: 2,
    usdc: usdc('0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359', 'USD Coin'),
  },
  {
    id: 'eip155:80002',
    chainId: 80002,
    name: 'Polygon Amoy',
    testnet: true,
    blockTimeSeconds: 2,
    usdc: usdc('0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582', 'USDC'),
  },
  {
    id: 'eip155:43114',
    chainId: 43114,
    name: 'Avalanche C-Chain',
    testnet: false,
    blockTimeSeconds: 2,
    usdc: usdc('0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E', 'USD Coin'),
  },
  {
    id: 'eip155:43113',
    chainId: 43113,
    name: 'Avalanche Fuji',
    testnet: true,
    blockTimeSeconds: 2,
    usdc: usdc('0x5425890298aed601595a70AB815c96711a31Bc65', 'USD Coin'),
  },
];

export interface EvmNetworkInput {
  /** `eip155:<chainId>`. */
  id: string;
  name?: string;
  testnet?: boolean;
  blockTimeSeconds?: number;
  usdc?: EvmAsset;
  assets?: readonly EvmAsset[];
  multicall3?: Address | null;
}

function checkAsset(network: string, asset: EvmAsset): EvmAsset {
  if (!isAddress(asset.address, { strict: false }))
    throw new ConfigError(`${network}: asset address ${asset.address} is not an EVM address`);
  if (!Number.isInteger(asset.decimals) || asset.decimals < 0 || asset.decimals > 36)
    throw new ConfigError(`${network}: asset ${asset.address} has invalid decimals`);
  if (!asset.name || !asset.version)
    throw new ConfigError(`${network}: asset ${asset.address} needs its EIP-712 name and version`);
  return { ...asset, address: getAddress(asset.address) };
}

/**
 * A network entry from configuration: a built-in network with overrides, or a custom one (which
 * must name its USDC-like default asset).
 *
 * @example
 * const local = defineEvmNetwork({ id: 'eip155:31337', name: 'Anvil', blockTimeSeconds: 1,
 *   usdc: { address: token, symbol: 'USDC', decimals: 6, name: 'USD Coin', version: '2' } });
 */
export function defineEvmNetwork(input: EvmNetworkInput): EvmNetwork {
  const { namespace, reference } = parseNetwork(input.id);
  const chainId = Number(reference);
  if (namespace !== 'eip155' || !Number.isSafeInteger(chainId) || chainId <= 0)
    throw new ConfigError(`${input.id} is not an eip155:<chainId> network`);
  const known = EVM_NETWORKS.find((n) => n.chainId === chainId);
  const base = input.usdc ?? known?.usdc;
  if (!base) throw new ConfigError(`${input.id} is not a built-in network: give its usdc asset`);
  const network: EvmNetwork = {
    id: `eip155:${chainId}`,
    chainId,
    name: input.name ?? known?.name ?? `EVM ${chainId}`,
    testnet: input.testnet ?? known?.testnet ?? true,
    blockTimeSeconds: input.blockTimeSeconds ?? known?.blockTimeSeconds ?? 2,
    usdc: checkAsset(input.id, base),
  };
  const assets = input.assets ?? known?.assets;
  if (assets) network.assets = assets.map((a) => checkAsset(input.id, a));
  const multicall3 = input.multicall3 !== undefined ? input.multicall3 : known?.multicall3;
  if (multicall3 !== undefined) network.multicall3 = multicall3;
  return network;
}

/** A network table holding the built-in networks plus `extra` ones (which may override built-ins). */
export function evmNetworkTable(
  extra: readonly (EvmNetwork | EvmNetworkInput)[] = [],
): Map<Network, EvmNetwork> {
  const table = new Map<Network, EvmNetwork>(EVM_NETWORKS.map((n) => [n.id, n]));
  for (const entry of extra) {
    const network = defineEvmNetwork(entry);
    table.set(network.id, network);
  }
  return table;
}

/** Every accepted asset of a network (USDC first). */
export function assetsOf(network: EvmNetwork): EvmAsset[] {
  return [network.usdc, ...(network.assets ?? [])];
}

/** The network's asset at `address` (case-insensitive), if it is one. */
export function findAsset(network: EvmNetwork, address: string): EvmAsset | undefined {
  const lower = address.toLowerCase();
  return assetsOf(network).find((a) => a.address.toLowerCase() === lower);
}

/** The chain id of an `eip155:<id>` network, or undefined. */
export function chainIdOf(network: string): number | undefined {
  if (!network.startsWith('eip155:')) return undefined;
  const id = Number(network.slice(7));
  return Number.isSafeInteger(id) && id > 0 && String(id) === network.slice(7) ? id : undefined;
}
