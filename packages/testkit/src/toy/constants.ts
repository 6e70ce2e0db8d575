/** Facts of the toy rail: one network, one asset, Ed25519 keys as hex addresses. */
import type { Network } from '@x402-rails/core';

export const TOY_SCHEME = 'exact';
export const TOY_NETWORK: Network = 'toy:local';
export const TOY_ASSET = 'TOY';
export const TOY_DECIMALS = 6;
/** Accepted clock difference between client and facilitator, in seconds. */
export const TOY_CLOCK_SKEW_SECONDS = 5;
