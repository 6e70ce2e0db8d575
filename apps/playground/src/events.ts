/** The paid servers' view of payments as log lines, so requests from outside the playground show up too. */
import type { PaymentEvent } from '@x402-rails/core/server';
import { formatAmount, type PlaygroundRail } from './rails/rail.js';

/** The agents print full ids; the server's echo of the same payment only needs to be recognisable. */
const shortId = (id: string) => (id.length > 16 ? `${id.slice(0, 12)}…` : id);

export function describeEvent(
  event: PaymentEvent,
  rails: readonly Pick<PlaygroundRail, 'name' | 'scheme' | 'network' | 'asset'>[],
  /** Which server saw it: `api` (the paid HTTP API) or `mcp` (the paid MCP tools). */
  source: 'api' | 'mcp' = 'api',
): string | undefined {
  const tag = `[${source}]`;
  switch (event.type) {
    case 'settled': {
      const { amount, asset, network, scheme } = event.requirements;
      // Two rails may share a network (exact and batch-settlement on Anvil): the scheme tells them apart.
      const rail = rails.find(
        (candidate) => candidate.network === network && candidate.scheme === scheme,
      );
      const price = rail ? formatAmount(rail.asset, amount) : `${amount} ${asset}`;
      return `${tag} settled ${event.resource} · ${price} on ${rail?.name ?? network} · tx ${shortId(event.settlement.transaction)}`;
    }
    case 'rejected':
      return source === 'api'
        ? `${tag} rejected ${event.resource} · ${event.reason} (HTTP ${event.status})`
        : `${tag} rejected ${event.resource} · ${event.reason}`;
    case 'settle_failed':
      return `${tag} settlement failed ${event.resource} · ${event.reason}`;
    default:
      return undefined;
  }
}
