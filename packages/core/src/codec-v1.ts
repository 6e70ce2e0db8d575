/**
 * x402 version 1 on HTTP, as a translation to and from the version 2 structures the engines use:
 * `X-PAYMENT` (base64 JSON `{ x402Version: 1, scheme, network, payload }`), the 402 JSON body
 * `{ x402Version: 1, error, accepts }` and `X-PAYMENT-RESPONSE`. Version 1 names networks
 * (`base-sepolia`); version 2 uses CAIP-2 ids (`eip155:84532`); the table below maps them. A
 * network without a legacy name travels in version 1 under its CAIP-2 id.
 */
import { z } from 'zod';
import { type DecodeOptions, decodeVersionedBase64Json, encodeBase64Json } from './codec.js';
import { PayloadDecodeError } from './errors.js';
import {
  CAIP2_PATTERN,
  type Network,
  type PaymentPayload,
  type PaymentRequired,
  type PaymentRequirements,
  type SettleResponse,
} from './schemas.js';

export const V1_HEADERS = {
  payment: 'X-PAYMENT',
  paymentResponse: 'X-PAYMENT-RESPONSE',
} as const;

const eip155 = (chainId: number) => `eip155:${chainId}` as Network;

/**
 * Version 1 network names and their CAIP-2 ids, as the official SDK maps them
 * (`@x402/evm` `EVM_NETWORK_CHAIN_ID_MAP`, `@x402/svm` `V1_TO_V2_NETWORK_MAP`).
 */
export const LEGACY_NETWORKS: Readonly<Record<string, Network>> = Object.freeze({
  ethereum: eip155(1),
  sepolia: eip155(11155111),
  base: eip155(8453),
  'base-sepolia': eip155(84532),
  avalanche: eip155(43114),
  'avalanche-fuji': eip155(43113),
  polygon: eip155(137),
  'polygon-amoy': eip155(80002),
  abstract: eip155(2741),
  'abstract-testnet': eip155(11124),
  iotex: eip155(4689),
  sei: eip155(1329),
  'sei-testnet': eip155(1328),
  peaq: eip155(3338),
  story: eip155(1514),
  educhain: eip155(41923),
  'skale-base-sepolia': eip155(324705682),
  megaeth: eip155(4326),
  monad: eip155(143),
  stable: eip155(988),
  'stable-testnet': eip155(2201),
  celo: eip155(42220),
  flare: eip155(14),
  solana: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
  'solana-devnet': 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
  'solana-testnet': 'solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z',
});

const LEGACY_NAME_OF = new Map<string, string>(
  Object.entries(LEGACY_NETWORKS).map(([name, id]) => [id, name]),
);

/** The CAIP-2 id of a version 1 network name (a CAIP-2 id passes through), or undefined. */
export function networkFromV1(name: string): Network | undefined {
  if (Object.hasOwn(LEGACY_NETWORKS, name)) return LEGACY_NETWORKS[name];
  return CAIP2_PATTERN.test(name) ? (name as Network) : undefined;
}

/** The version 1 name of a CAIP-2 network: its legacy name, or the id itself when it has none. */
export function networkToV1(network: string): string {
  return LEGACY_NAME_OF.get(network) ?? network;
}

const jsonObject = z.record(z.string().max(256), z.unknown());

export const PaymentPayloadV1Schema = z.object({
  x402Version: z.literal(1),
  scheme: z.string().min(1).max(64),
  network: z.string().min(1).max(128),
  payload: jsonObject,
});
export interface PaymentPayloadV1 {
  x402Version: 1;
  scheme: string;
  network: string;
  payload: Record<string, unknown>;
}

export interface PaymentRequirementsV1 {
  scheme: string;
  network: string;
  maxAmountRequired: string;
  resource: string;
  description: string;
  mimeType: string;
  payTo: string;
  maxTimeoutSeconds: number;
  asset: string;
  extra?: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

export interface PaymentRequiredV1 {
  x402Version: 1;
  error: string;
  accepts: PaymentRequirementsV1[];
}

export interface SettleResponseV1 {
  success: boolean;
  errorReason?: string;
  payer?: string;
  transaction: string;
  network: string;
}

/** Decodes an `X-PAYMENT` header (bounded like every header: size, base64, JSON, schema). */
export function decodePaymentHeaderV1(value: string, options?: DecodeOptions): PaymentPayloadV1 {
  return decodeVersionedBase64Json(
    V1_HEADERS.payment,
    value,
    PaymentPayloadV1Schema,
    1,
    options,
  ) as PaymentPayloadV1;
}

export function encodePaymentHeaderV1(value: PaymentPayloadV1): string {
  return encodeBase64Json(value);
}

/**
 * A version 1 payment as the version 2 structure the engine works with. Version 1 names only the
 * scheme and network; the requirements it pays are the offer of that kind (version 1 servers
 * offer one per kind). With no such offer, `accepted` carries just the kind, and matching refuses
 * it with `invalid_scheme` / `invalid_network`.
 */
export function paymentPayloadFromV1(
  v1: PaymentPayloadV1,
  offers: readonly PaymentRequirements[],
): PaymentPayload {
  const network = networkFromV1(v1.network);
  if (network === undefined) {
    throw new PayloadDecodeError('invalid_network', {
      message: `${V1_HEADERS.payment}: unknown network ${JSON.stringify(v1.network)}`,
      details: { header: V1_HEADERS.payment, network: v1.network },
    });
  }
  const offer = offers.find((o) => o.scheme === v1.scheme && o.network === network);
  const accepted: PaymentRequirements = offer ?? {
    scheme: v1.scheme,
    network,
    amount: '',
    asset: '',
    payTo: '',
    maxTimeoutSeconds: 0,
  };
  return { x402Version: 2, accepted, payload: v1.payload };
}

/** The version 1 402 body for a version 2 `PaymentRequired`. */
export function paymentRequiredToV1(required: PaymentRequired, error: string): PaymentRequiredV1 {
  const { resource } = required;
  return {
    x402Version: 1,
    error,
    accepts: required.accepts.map((r) => ({
      scheme: r.scheme,
      network: networkToV1(r.network),
      maxAmountRequired: r.amount,
      resource: resource.url,
      description: resource.description ?? '',
      mimeType: resource.mimeType ?? '',
      payTo: r.payTo,
      maxTimeoutSeconds: r.maxTimeoutSeconds,
      asset: r.asset,
      ...(r.extra ? { extra: r.extra } : {}),
    })),
  };
}

/** The version 1 `X-PAYMENT-RESPONSE` value for a settlement. */
export function encodePaymentResponseHeaderV1(settlement: SettleResponse): string {
  const v1: SettleResponseV1 = {
    success: settlement.success,
    ...(settlement.errorReason ? { errorReason: settlement.errorReason } : {}),
    ...(settlement.payer ? { payer: settlement.payer } : {}),
    transaction: settlement.transaction,
    network: networkToV1(settlement.network),
  };
  return encodeBase64Json(v1);
}
