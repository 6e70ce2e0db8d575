/**
 * The rail types a config may name, by `type`. A new rail (Solana, Stripe) is one file with its
 * schema and factory, made with `defineRail`, and one entry in this list.
 */
import { z } from 'zod';
import type { ConfigSources } from '../config/fields.js';
import type { PreparedRail, RailDefinition } from './define.js';
import { evmRail } from './evm.js';
import { solanaRail } from './solana.js';
import { stripeRail } from './stripe.js';
import { toyRail } from './toy.js';

export const RAIL_TYPES: readonly RailDefinition[] = [toyRail, evmRail, stripeRail, solanaRail];

const known = () => RAIL_TYPES.map((rail) => JSON.stringify(rail.type)).join(', ');

/**
 * One entry of `rails`: read `type` first, then let that rail's own schema check the rest, so
 * its issues come out with their full path (`rails[1].chainFile`).
 */
export function railEntrySchema(sources: ConfigSources) {
  return z.looseObject({ type: z.string() }).transform((entry, ctx): PreparedRail => {
    const definition = RAIL_TYPES.find((rail) => rail.type === entry.type);
    if (!definition) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `must be one of ${known()}` });
      return z.NEVER;
    }
    const parsed = definition.parse(entry, sources);
    if (parsed.ok) return parsed.rail;
    for (const issue of parsed.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          ctx.addIssue({
            code: 'custom',
            path: [...issue.path, key],
            message: 'is not a known field',
          });
      } else {
        ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
      }
    }
    return z.NEVER;
  });
}
