/**
 * The facilitator engine: verify, settle, release and `/supported` over a registry of rails, in
 * process. Bad input yields an invalid result with a reason; a rail that throws yields
 * `unexpected_verify_error` / `unexpected_settle_error`, never an exception to the caller.
 */

import { X402Error } from '../errors.js';
import type { FacilitatorClient } from '../facilitator-client.js';
import { createMemorySettlementJournal, type SettlementJournal } from '../ledger.js';
import { isNetwork } from '../networks.js';
import { SchemeRegistry } from '../registry.js';
import type {
  Network,
  PaymentPayload,
  PaymentRequirements,
  SettleResponse,
  SupportedKind,
  SupportedResponse,
  VerifyResponse,
} from '../schemas.js';
import type { FacilitatorContext, SchemeFacilitator } from '../scheme.js';
import { failedSettlement } from '../settle-response.js';
import { createJournaledSettlement } from './settlement.js';

export interface FacilitatorOptions {
  /** The rails this facilitator verifies and settles. */
  schemes: Iterable<SchemeFacilitator> | SchemeRegistry<SchemeFacilitator>;
  /** Extension identifiers to announce in `/supported`. */
  extensions?: readonly string[];
  /**
   * Where settlements are journaled so each payment is submitted at most once. Default: in
   * memory (one process); use `@x402-rails/store` to survive restarts and share across instances.
   */
  journal?: SettlementJournal;
  /** How long a started settlement is owned before another attempt may reconcile it (default 2 min). */
  settleLeaseMs?: number;
}

export interface Facilitator extends FacilitatorClient {
  readonly registry: SchemeRegistry<SchemeFacilitator>;
  /** Reconciles settlements left pending by a crashed facilitator (run at start and periodically). */
  reconcile(limit?: number): Promise<{ key: string; result: SettleResponse }[]>;
}

type Resolution = { rail: SchemeFacilitator } | { reason: string; message: string };

const sameText = (a: string, b: string) =>
  a === b || (a.startsWith('0x') && a.toLowerCase() === b.toLowerCase());

/** Checks that the payload's `accepted` is the requirements given, and finds the rail. */
function resolveRail(
  registry: SchemeRegistry<SchemeFacilitator>,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
): Resolution {
  if (payload.x402Version !== 2)
    return { reason: 'invalid_x402_version', message: 'x402Version must be 2' };
  const accepted = payload.accepted;
  if (accepted.scheme !== requirements.scheme) {
    return {
      reason: 'invalid_scheme',
      message: `payload is for scheme ${accepted.scheme}, requirements ${requirements.scheme}`,
    };
  }
  if (accepted.network !== requirements.network) {
    return {
      reason: 'invalid_network',
      message: `payload is for ${accepted.network}, requirements ${requirements.network}`,
    };
  }
  for (const field of ['amount', 'asset', 'payTo'] as const) {
    if (!sameText(accepted[field], requirements[field])) {
      return {
        reason: 'invalid_payment_requirements',
        message: `accepted.${field} differs from the requirements`,
      };
    }
  }
  const rail = registry.resolve(requirements.scheme, requirements.network);
  if (rail) return { rail };
  return registry.hasScheme(requirements.scheme)
    ? {
        reason: 'invalid_network',
        message: `network ${requirements.network} is not supported for ${requirements.scheme}`,
      }
    : { reason: 'unsupported_scheme', message: `scheme ${requirements.scheme} is not supported` };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates an in-process facilitator.
 *
 * @example
 * const facilitator = createFacilitator({ schemes: [toyRail.facilitator] });
 * const result = await facilitator.verify(payload, requirements);
 */
export function createFacilitator(options: FacilitatorOptions): Facilitator {
  const registry =
    options.schemes instanceof SchemeRegistry
      ? options.schemes
      : new SchemeRegistry<SchemeFacilitator>(options.schemes);

  const settlement = createJournaledSettlement({
    journal: options.journal ?? createMemorySettlementJournal({ isolate: false }),
    leaseMs: options.settleLeaseMs ?? 120_000,
  });

  return {
    registry,
    async verify(payload, requirements, context?: FacilitatorContext) {
      const found = resolveRail(registry, payload, requirements);
      if ('reason' in found)
        return { isValid: false, invalidReason: found.reason, invalidMessage: found.message };
      try {
        return await found.rail.verify(payload, requirements, context);
      } catch (error) {
        const reason = error instanceof X402Error ? error.code : 'unexpected_verify_error';
        return {
          isValid: false,
          invalidReason: reason,
          invalidMessage: errorMessage(error),
        } satisfies VerifyResponse;
      }
    },
    async settle(payload, requirements, context?: FacilitatorContext) {
      const found = resolveRail(registry, payload, requirements);
      if ('reason' in found) {
        return failedSettlement(requirements, found.reason, found.message);
      }
      return settlement.settle(found.rail, payload, requirements, context);
    },
    reconcile(limit) {
      return settlement.reconcileExpired(
        (entry) => registry.resolve(entry.scheme, entry.network),
        limit,
      );
    },
    async release(payload, requirements, context?: FacilitatorContext) {
      const found = resolveRail(registry, payload, requirements);
      if ('reason' in found) throw new X402Error(found.reason, { message: found.message });
      await found.rail.release?.(payload, requirements, context);
    },
    async supported(): Promise<SupportedResponse> {
      const kinds: SupportedKind[] = [];
      const signers: Record<string, string[]> = {};
      for (const rail of registry.list()) {
        const networks: readonly Network[] =
          rail.supportedNetworks?.() ?? rail.networks.filter((n): n is Network => isNetwork(n));
        for (const network of networks) {
          const extra = rail.supportedExtra?.(network);
          kinds.push({ x402Version: 2, scheme: rail.scheme, network, ...(extra ? { extra } : {}) });
        }
        for (const [pattern, addresses] of Object.entries(rail.signers?.() ?? {})) {
          signers[pattern] = [...new Set([...(signers[pattern] ?? []), ...addresses])];
        }
      }
      return { kinds, extensions: [...(options.extensions ?? [])], signers };
    },
  };
}
