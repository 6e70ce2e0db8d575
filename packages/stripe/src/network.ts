/**
 * Networks of the Stripe card rail: `stripe:test` and `stripe:live`, Stripe's two modes. A key's
 * prefix names its mode (`sk_test_`, `rk_live_`, `pk_test_`, ...); a rail refuses a key whose mode
 * is not its network's, at construction.
 */
import { ConfigError, type Network } from '@x402-rails/core';

export const STRIPE_NETWORKS = ['stripe:test', 'stripe:live'] as const;
export type StripeNetwork = (typeof STRIPE_NETWORKS)[number];

export function isStripeNetwork(network: string): network is StripeNetwork {
  return (STRIPE_NETWORKS as readonly string[]).includes(network);
}

/** The network a key belongs to, from its prefix. */
export function networkOfKey(key: string): StripeNetwork {
  const mode = /^(?:sk|rk|pk)_(test|live)_/.exec(key)?.[1];
  if (!mode) throw new ConfigError('Not a Stripe API key (sk_test_..., sk_live_..., pk_test_...)');
  return `stripe:${mode as 'test' | 'live'}`;
}

/** The key's network, checked against the one configured (if any). */
export function resolveNetwork(key: string, network?: Network): StripeNetwork {
  const ofKey = networkOfKey(key);
  if (network !== undefined && network !== ofKey) {
    throw new ConfigError(`A ${ofKey.slice(7)}-mode key cannot serve ${network}`, {
      network,
      keyMode: ofKey,
    });
  }
  return ofKey;
}

export const ACCOUNT_ID = /^acct_[A-Za-z0-9]{1,64}$/;
