/**
 * Server role of the EVM exact rail: prices to `PaymentRequirements` (USDC by default, with the
 * token's EIP-712 domain in `extra`), and the payment id `(chainId, asset, from, nonce)`.
 */
import {
  ConfigError,
  type DisplayAmount,
  formatAtomicAmount,
  type Network,
  type PaymentRequirements,
  parseMoney,
  type RequirementsContext,
  type SchemeServer,
} from '@x402-rails/core';
import { getAddress } from 'viem';
import { type EvmNetwork, type EvmNetworkInput, evmNetworkTable, findAsset } from '../networks.js';
import { exactEvmPaymentId } from '../payment-id.js';

export interface EvmExactServerOptions {
  /** Custom networks, or overrides of built-in ones (e.g. a local chain's token). */
  networks?: readonly (EvmNetwork | EvmNetworkInput)[];
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * @example
 * const evm = createEvmExactServer();
 * const route = { accepts: { scheme: 'exact', network: 'eip155:8453', price: '$0.01', payTo } };
 */
export function createEvmExactServer(options: EvmExactServerOptions = {}): SchemeServer {
  const table = evmNetworkTable(options.networks);
  const network = (id: string) => {
    const entry = table.get(id as Network);
    if (!entry) throw new ConfigError(`Unknown EVM network ${id}; add it with networks: [...]`);
    return entry;
  };
  return {
    scheme: 'exact',
    networks: [...table.keys()],
    requirements(context: RequirementsContext): PaymentRequirements {
      const net = network(context.network);
      if (!ADDRESS.test(context.payTo))
        throw new ConfigError(`payTo ${context.payTo} is not an EVM address`);
      let amount: bigint;
      let asset = net.usdc;
      let extra: Record<string, unknown> = {};
      if (context.price.atomic) {
        const given = context.price.atomic;
        if (!ADDRESS.test(given.asset))
          throw new ConfigError(`asset ${given.asset} is not an address`);
        const listed = findAsset(net, given.asset);
        const name = given.extra?.['name'] ?? listed?.name;
        const version = given.extra?.['version'] ?? listed?.version;
        if (typeof name !== 'string' || typeof version !== 'string') {
          throw new ConfigError(
            `Asset ${given.asset} is not listed on ${net.id}: give its EIP-712 name and version in extra`,
          );
        }
        asset = listed ?? { ...net.usdc, address: getAddress(given.asset), name, version };
        extra = { ...given.extra, name, version };
        amount = BigInt(given.amount);
      } else if (context.price.money !== undefined) {
        amount = parseMoney(context.price.money, asset.decimals);
        extra = { name: asset.name, version: asset.version };
      } else {
        throw new ConfigError('A price is required');
      }
      if (amount <= 0n) throw new ConfigError('A price must be above zero');
      return {
        scheme: 'exact',
        network: context.network,
        amount: amount.toString(),
        asset: getAddress(asset.address),
        payTo: getAddress(context.payTo),
        maxTimeoutSeconds: context.maxTimeoutSeconds,
        extra: { ...extra, ...context.extra },
      };
    },
    paymentId: exactEvmPaymentId,
    describe(requirements): DisplayAmount {
      const net = table.get(requirements.network);
      const asset = net ? findAsset(net, requirements.asset) : undefined;
      return {
        amount: formatAtomicAmount(requirements.amount, asset?.decimals ?? 6),
        symbol: asset?.symbol ?? 'USDC',
        networkName: net?.name ?? requirements.network,
      };
    },
  };
}
