/** The whole toy rail in one value, for tests and the playground. */
import type { Network, SchemeFacilitator, SchemeServer } from '@x402-rails/core';
import { createToyChain, type ToyChain } from './chain.js';
import { createToyClient, type ToyExactClient } from './client.js';
import { TOY_NETWORK } from './constants.js';
import { createToyFacilitator } from './facilitator.js';
import { createToyWallet, type ToyWallet } from './keys.js';
import { createToyServer } from './server.js';

export interface ToyRail {
  readonly network: Network;
  readonly chain: ToyChain;
  readonly server: SchemeServer;
  readonly facilitator: SchemeFacilitator;
  /** A new wallet holding `balance` atomic units, and a client that pays with it. */
  fundedClient(
    balance?: bigint,
    options?: { now?: () => number },
  ): { wallet: ToyWallet; client: ToyExactClient };
}

export interface ToyRailOptions {
  network?: Network;
  chain?: ToyChain;
  /** Verify holds funds and the engine must release them when the handler fails. */
  holds?: boolean;
  now?: () => number;
  /** See `ToyFacilitatorOptions.afterTransfer`. */
  afterTransfer?: () => Promise<void>;
}

/**
 * @example
 * const toy = createToyRail();
 * const { client } = toy.fundedClient(10_000_000n); // 10 TOY
 */
export function createToyRail(options: ToyRailOptions = {}): ToyRail {
  const network = options.network ?? TOY_NETWORK;
  const chain = options.chain ?? createToyChain();
  return {
    network,
    chain,
    server: createToyServer({ network, holdsFunds: options.holds ?? false }),
    facilitator: createToyFacilitator({
      chain,
      network,
      ...(options.holds !== undefined ? { holds: options.holds } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.afterTransfer ? { afterTransfer: options.afterTransfer } : {}),
    }),
    fundedClient(balance = 10_000_000n, clientOptions = {}) {
      const wallet = createToyWallet();
      chain.mint(wallet.address, balance);
      return {
        wallet,
        client: createToyClient({
          wallet,
          network,
          ...(clientOptions.now ? { now: clientOptions.now } : {}),
        }),
      };
    },
  };
}
