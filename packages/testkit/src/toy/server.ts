/** Server role of the toy rail: prices to requirements, and the payment id (network, from, nonce). */
import {
  ConfigError,
  formatAtomicAmount,
  type Network,
  PayloadDecodeError,
  type PaymentPayload,
  parseMoney,
  type RequirementsContext,
  type SchemeServer,
} from '@x402-rails/core';
import { TOY_ASSET, TOY_DECIMALS, TOY_NETWORK, TOY_SCHEME } from './constants.js';
import { isToyAddress } from './keys.js';
import { toyPaymentId } from './payload.js';

export interface ToyServerOptions {
  network?: Network;
  /** Declare that verify places a hold (use with a facilitator created with `holds: true`). */
  holdsFunds?: boolean;
}

export function createToyServer(options: ToyServerOptions = {}): SchemeServer {
  const network = options.network ?? TOY_NETWORK;
  return {
    scheme: TOY_SCHEME,
    networks: [network],
    holdsFunds: options.holdsFunds ?? false,
    requirements(context: RequirementsContext) {
      if (!isToyAddress(context.payTo))
        throw new ConfigError(`payTo ${context.payTo} is not a toy address (64 hex)`);
      let amount: bigint;
      if (context.price.atomic) {
        if (context.price.atomic.asset !== TOY_ASSET) {
          throw new ConfigError(
            `The toy rail only has asset ${TOY_ASSET}, not ${context.price.atomic.asset}`,
          );
        }
        amount = BigInt(context.price.atomic.amount);
      } else if (context.price.money !== undefined) {
        amount = parseMoney(context.price.money, TOY_DECIMALS);
      } else {
        throw new ConfigError('A price is required');
      }
      if (amount <= 0n) throw new ConfigError('A price must be above zero');
      return {
        scheme: TOY_SCHEME,
        network: context.network,
        amount: amount.toString(),
        asset: TOY_ASSET,
        payTo: context.payTo,
        maxTimeoutSeconds: context.maxTimeoutSeconds,
        extra: { name: 'Toy Dollar', decimals: TOY_DECIMALS, ...context.extra },
      };
    },
    paymentId(payload: PaymentPayload) {
      const id = toyPaymentId(payload.accepted.network, payload.payload);
      if (id === undefined)
        throw new PayloadDecodeError('invalid_payload', { message: 'Not a toy transfer payload' });
      return id;
    },
    describe(requirements) {
      return {
        amount: formatAtomicAmount(requirements.amount, TOY_DECIMALS),
        symbol: 'TOY',
        networkName: 'Toy network (local)',
      };
    },
  };
}
