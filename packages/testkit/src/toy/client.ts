/** Client role of the toy rail: signs a transfer for the requirements. */
import { randomBytes } from 'node:crypto';
import type {
  CreatePaymentContext,
  Network,
  PaymentRequirements,
  SchemeClient,
} from '@x402-rails/core';
import { TOY_ASSET, TOY_CLOCK_SKEW_SECONDS, TOY_NETWORK, TOY_SCHEME } from './constants.js';
import type { ToyWallet } from './keys.js';
import { type ToyPayload, type ToyTransfer, toyTransferMessage } from './payload.js';

export interface ToyClientOptions {
  wallet: ToyWallet;
  network?: Network;
  /** Clock in milliseconds (tests shift it to make expired payments). */
  now?: () => number;
}

export interface ToyExactClient extends SchemeClient {
  readonly address: string;
}

export function createToyClient(options: ToyClientOptions): ToyExactClient {
  const network = options.network ?? TOY_NETWORK;
  const now = options.now ?? Date.now;
  return {
    scheme: TOY_SCHEME,
    networks: [network],
    address: options.wallet.address,
    canPay: (req: PaymentRequirements) => req.network === network && req.asset === TOY_ASSET,
    async create({ requirements }: CreatePaymentContext) {
      const seconds = Math.floor(now() / 1000);
      const transfer: ToyTransfer = {
        from: options.wallet.address,
        to: requirements.payTo,
        amount: requirements.amount,
        asset: requirements.asset,
        // Back-dated by the skew margin so a facilitator whose clock is a little behind accepts it.
        validAfter: Math.max(0, seconds - TOY_CLOCK_SKEW_SECONDS),
        validBefore: seconds + requirements.maxTimeoutSeconds,
        nonce: randomBytes(16).toString('hex'),
      };
      const payload: ToyPayload = {
        transfer,
        signature: options.wallet.sign(toyTransferMessage(requirements.network, transfer)),
      };
      return { payload };
    },
  };
}
