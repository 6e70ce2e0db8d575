/**
 * Matching the `accepted` requirements of a payment against what the route offers this request.
 */
import type { PaymentPayload } from '../schemas.js';
import type { ResolvedOffer } from './route.js';

export type MatchResult =
  | { ok: true; offer: ResolvedOffer }
  | { ok: false; reason: string; message: string; details: Record<string, unknown> };

const HEX = /^0x[0-9a-fA-F]+$/;
/** Hex addresses compare case-insensitively (checksum casing is not part of identity). */
export function sameValue(a: string, b: string): boolean {
  return a === b || (HEX.test(a) && HEX.test(b) && a.toLowerCase() === b.toLowerCase());
}

export function matchAccepted(
  payload: PaymentPayload,
  offers: readonly ResolvedOffer[],
  resourceUrl: string,
): MatchResult {
  const accepted = payload.accepted;
  const sameKind = offers.filter(
    (o) => o.requirements.scheme === accepted.scheme && o.requirements.network === accepted.network,
  );
  if (sameKind.length === 0) {
    const schemeOffered = offers.some((o) => o.requirements.scheme === accepted.scheme);
    return schemeOffered
      ? {
          ok: false,
          reason: 'invalid_network',
          message: `Network ${accepted.network} is not offered here`,
          details: { network: accepted.network },
        }
      : {
          ok: false,
          reason: 'invalid_scheme',
          message: `Scheme ${accepted.scheme} is not offered here`,
          details: { scheme: accepted.scheme },
        };
  }
  let firstMismatch: string | undefined;
  for (const offer of sameKind) {
    const field = (['amount', 'asset', 'payTo'] as const).find(
      (f) => !sameValue(offer.requirements[f], accepted[f]),
    );
    if (!field) {
      if (payload.resource && payload.resource.url !== resourceUrl) {
        return {
          ok: false,
          reason: 'resource_mismatch',
          message: 'The payment was made for another resource',
          details: {},
        };
      }
      return { ok: true, offer };
    }
    firstMismatch ??= field;
  }
  return {
    ok: false,
    reason: 'invalid_payment_requirements',
    message: `accepted.${firstMismatch} does not match what this resource offers`,
    details: { field: firstMismatch },
  };
}
