/**
 * The one interface every rail implements, split by role. A rail package exports its client,
 * server and facilitator from separate subpaths so a client bundle never pulls facilitator keys.
 */
import type { NetworkPattern } from './networks.js';
import type {
  Extensions,
  Network,
  PaymentPayload,
  PaymentRequirements,
  ResourceInfo,
  SettleResponse,
  VerifyResponse,
} from './schemas.js';

/** What a rail's role is registered under: one scheme, the networks it serves. */
export interface SchemeIdentity {
  readonly scheme: string;
  /** Networks or patterns (`eip155:*`) this implementation handles. */
  readonly networks: readonly NetworkPattern[];
}

export interface CreatePaymentContext {
  requirements: PaymentRequirements;
  resource: ResourceInfo;
  /** Extensions the server advertised; echo what the rail understands. */
  extensions?: Extensions;
}

export interface CreatedPayment {
  /** Scheme-specific payload (the `payload` field of `PaymentPayload`). */
  payload: Record<string, unknown>;
  extensions?: Extensions;
}

/**
 * Client role: turns one `PaymentRequirements` into a signed payload.
 * Must not move money and must not reuse a nonce across calls.
 */
export interface SchemeClient extends SchemeIdentity {
  /** Whether this client can pay these requirements (asset known, signer present, ...). */
  canPay?(requirements: PaymentRequirements): boolean;
  create(context: CreatePaymentContext): Promise<CreatedPayment>;
  /**
   * Whether to pay once more after a paid attempt was refused with a 402 whose `accepts` entry for
   * this rail is `requirements` (a corrective 402: the rail resynchronised from it). The engine
   * then calls `create` with those requirements and resends, at most once. Default: never.
   */
  retryAfterRefusal?(requirements: PaymentRequirements): boolean;
  /**
   * Called after a paid attempt was answered with a successful `PAYMENT-RESPONSE` for a payload
   * this rail created: the settlement (with its scheme-specific `extra`, untrusted) lets the rail
   * keep its own state in step. Must not throw; the engine ignores what it throws.
   */
  settled?(context: SettledContext): void | Promise<void>;
}

export interface SettledContext {
  requirements: PaymentRequirements;
  /** The `payload` this rail created for the attempt. */
  payload: Record<string, unknown>;
  settlement: SettleResponse;
}

export interface PriceInput {
  /** A human price (`"$0.01"`, `"0.01"`, `0.01`) in the rail's default asset... */
  money?: string | number;
  /** ...or an explicit amount in atomic units of `asset`. */
  atomic?: { amount: string | bigint; asset: string; extra?: Record<string, unknown> };
}

export interface RequirementsContext {
  scheme: string;
  network: Network;
  price: PriceInput;
  payTo: string;
  maxTimeoutSeconds: number;
  extra?: Record<string, unknown>;
  /** The paying request: rails whose requirements depend on the client (deferred) read it. */
  request: Request;
}

/** How a server shows an amount to a person. */
export interface DisplayAmount {
  amount: string;
  symbol: string;
  networkName: string;
}

/** Server role: prices to requirements, and the payment id that makes a payment usable once. */
export interface SchemeServer extends SchemeIdentity {
  /** Builds the requirements for one offered rail. Throw `ConfigError` for a price it cannot take. */
  requirements(context: RequirementsContext): Promise<PaymentRequirements> | PaymentRequirements;
  /**
   * Whether `requirements` depends only on its inputs (not on the request). Static requirements
   * are computed once per route and cached. Defaults to true.
   */
  readonly staticRequirements?: boolean;
  /**
   * Stable id of the payment carried by a payload: the key of the once-only claim
   * (EVM: chain, asset, from, nonce). Throw `PayloadDecodeError` for a payload without one.
   */
  paymentId(payload: PaymentPayload): string;
  /** True when verify places a hold that must be voided if the handler fails (cards). */
  readonly holdsFunds?: boolean;
  describe?(requirements: PaymentRequirements): DisplayAmount;
  /**
   * The requirements to answer with when a payment that matched `requirements` was refused with
   * `reason` (by verify, or as already used): the deferred rail's corrective 402 adds the channel
   * state. Undefined keeps them.
   */
  refusalRequirements?(
    context: RefusalRequirementsContext,
  ): Promise<PaymentRequirements | undefined>;
  /**
   * The reason to answer such a refusal with, when the rail's binding names it otherwise: for
   * batch-settlement a replayed voucher (`payment_already_used` in the payment ledger) is a
   * cumulative-amount mismatch, the code its clients resynchronise on. Undefined keeps `reason`.
   */
  refusalReason?(context: RefusalRequirementsContext): string | undefined;
}

export interface RefusalRequirementsContext {
  reason: string;
  payload: PaymentPayload;
  requirements: PaymentRequirements;
}

export interface FacilitatorContext {
  /** Aborted when the caller gives up (timeout, shutdown). */
  signal?: AbortSignal;
}

/** A payment's state on its rail. */
export type RailPaymentStatus =
  | { state: 'settled'; settlement: SettleResponse }
  | { state: 'pending' }
  | { state: 'not_found' };

/** Facilitator role: checks a payload without moving money, then moves it (or records it). */
export interface SchemeFacilitator extends SchemeIdentity {
  /** Must not move money. Must return `{isValid:false, invalidReason}` for bad input, not throw. */
  verify(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    context?: FacilitatorContext,
  ): Promise<VerifyResponse>;
  /** Moves the money, or for commitment rails records it. Settles a payment at most once. */
  settle(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    context?: FacilitatorContext,
  ): Promise<SettleResponse>;
  /** Voids a hold placed by verify (rails with `holdsFunds`). Idempotent. */
  release?(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    context?: FacilitatorContext,
  ): Promise<void>;
  /**
   * Stable id of the payment a payload carries (as `SchemeServer.paymentId`): the settlement
   * journal's key. Without it the journal keys on a digest of the payload.
   */
  paymentId?(payload: PaymentPayload): string;
  /**
   * The payment's state on the rail, asked when a settlement was interrupted (crash, timeout)
   * before its result was recorded. Without it such a settlement is reported `settlement_unknown`
   * and never submitted again.
   */
  status?(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    context?: FacilitatorContext,
  ): Promise<RailPaymentStatus>;
  /** `extra` announced in `/supported` for a network (e.g. a fee payer). */
  supportedExtra?(network: Network): Record<string, unknown> | undefined;
  /** Concrete networks to announce in `/supported` (patterns cannot be announced). */
  supportedNetworks?(): readonly Network[];
  /** Signer addresses per CAIP-2 pattern for `/supported`. */
  signers?(): Record<string, string[]>;
}
