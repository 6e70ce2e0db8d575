/** The paid API's view of payments as log lines, so requests from outside the playground show up too. */
import type { PaymentEvent } from '@x402-rails/core/server';
import { formatAmount, type PlaygroundRail } from './rails/rail.js';

/** The agents print full ids; the server's echo of the same payment only needs to be recognisable. */
const shortId = (id: string) => (id.length > 16 ? `${id.slice(0, 12)}…` : id);

export function describeEvent(
  event: PaymentEvent,
  rails: readonly Pick<PlaygroundRail, 'name' | 'network' | 'asset'>[],
): string | undefined {
  switch (event.type) {
    case 'settled': {
      const { amount, asset, network } = event.requirements;
      const rail = rails.find((candidate) => candidate.network === network);
      const price = rail ? formatAmount(rail.asset, amount) : `${amount} ${asset}`;
      return `[api] settled ${event.resource} · ${price} on ${rail?.name ?? network} · tx ${shortId(event.settlement.transaction)}`;
    }
    case 'rejected':
      return `[api] rejected ${event.resource} · ${event.reason} (HTTP ${event.status})`;
    case 'settle_failed':
      return `[api] settlement failed ${event.resource} · ${event.reason}`;
    default:
      return undefined;
  }
}
