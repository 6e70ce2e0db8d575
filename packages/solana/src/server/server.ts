/**
 * Server role of the Solana exact rail: prices to `PaymentRequirements` (the network's USDC by
 * default) with the facilitator's fee payer in `extra.feePayer`, and the payment id (the
 * transaction message's digest).
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
  type SupportedResponse,
} from '@x402-rails/core';
import { isSolanaAddress } from '../facilitator/checks.js';
import { type SolanaNetwork, type SolanaNetworkInput, solanaNetworkTable } from '../networks.js';
import { exactSvmPaymentId } from '../payment-id.js';

export interface SolanaExactServerOptions {
  /** Custom networks (a local chain), or overrides of built-in ones. */
  networks?: readonly (SolanaNetwork | SolanaNetworkInput)[];
  /** The facilitator's fee payer, for every network or per network (else the route's `extra.feePayer`). */
  feePayer?: string | Readonly<Record<string, string>>;
  /** Or learn the fee payer from the facilitator's `/supported` (asked once per network). */
  facilitator?: { supported(): Promise<SupportedResponse> };
}

/**
 * @example
 * const solana = createSolanaExactServer({ feePayer: facilitatorAddress });
 * const route = { accepts: { scheme: 'exact', network: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1', price: '$0.01', payTo } };
 */
export function createSolanaExactServer(options: SolanaExactServerOptions = {}): SchemeServer {
  const table = solanaNetworkTable(options.networks);
  const learned = new Map<string, Promise<string | undefined>>();

  function network(id: string): SolanaNetwork {
    const entry = table.get(id as Network);
    if (!entry) throw new ConfigError(`Unknown Solana network ${id}; add it with networks: [...]`);
    return entry;
  }

  async function feePayerFor(id: string, extra?: Record<string, unknown>): Promise<string> {
    const configured =
      typeof options.feePayer === 'string' ? options.feePayer : options.feePayer?.[id];
    let found = (extra?.['feePayer'] as string | undefined) ?? configured;
    if (!found && options.facilitator) {
      const facilitator = options.facilitator;
      let ask = learned.get(id);
      if (!ask) {
        ask = facilitator.supported().then((s) => {
          const kind = s.kinds.find((k) => k.scheme === 'exact' && k.network === id);
          const payer = kind?.extra?.['feePayer'];
          return typeof payer === 'string' ? payer : undefined;
        });
        learned.set(id, ask);
        ask.catch(() => learned.delete(id));
      }
      found = await ask;
    }
    if (!isSolanaAddress(found))
      throw new ConfigError(
        `No fee payer for ${id}: give feePayer, a facilitator, or extra.feePayer on the route`,
      );
    return found;
  }

  return {
    scheme: 'exact',
    networks: [...table.keys()],
    async requirements(context: RequirementsContext): Promise<PaymentRequirements> {
      const net = network(context.network);
      if (!isSolanaAddress(context.payTo))
        throw new ConfigError(`payTo ${context.payTo} is not a Solana address`);
      let amount: bigint;
      let asset: string;
      let extra: Record<string, unknown> = {};
      if (context.price.atomic) {
        const given = context.price.atomic;
        if (!isSolanaAddress(given.asset))
          throw new ConfigError(`asset ${given.asset} is not a Solana address`);
        asset = given.asset;
        amount = BigInt(given.amount);
        extra = { ...given.extra };
      } else if (context.price.money !== undefined) {
        if (!net.usdc)
          throw new ConfigError(
            `${net.name} has no default USDC: give an atomic price with its asset`,
          );
        asset = net.usdc.address;
        amount = parseMoney(context.price.money, net.usdc.decimals);
      } else {
        throw new ConfigError('A price is required');
      }
      if (amount <= 0n || amount >= 1n << 64n)
        throw new ConfigError('A price must be above zero and fit in 64 bits');
      const merged = { ...extra, ...context.extra };
      const feePayer = await feePayerFor(context.network, merged);
      const memo = merged['memo'];
      if (
        memo !== undefined &&
        (typeof memo !== 'string' || new TextEncoder().encode(memo).length > 256)
      )
        throw new ConfigError('extra.memo must be text of at most 256 bytes');
      return {
        scheme: 'exact',
        network: context.network,
        amount: amount.toString(),
        asset,
        payTo: context.payTo,
        maxTimeoutSeconds: context.maxTimeoutSeconds,
        extra: { ...merged, feePayer },
      };
    },
    paymentId: exactSvmPaymentId,
    describe(requirements): DisplayAmount {
      const net = table.get(requirements.network);
      const usdc = net?.usdc?.address === requirements.asset ? net.usdc : undefined;
      return {
        amount: formatAtomicAmount(requirements.amount, usdc?.decimals ?? 6),
        symbol: usdc?.symbol ?? 'USDC',
        networkName: net?.name ?? requirements.network,
      };
    },
  };
}
