/**
 * How a rail type plugs into the config: a zod schema for its entry in `rails` and a factory that
 * builds its facilitator role. `defineRail` hides each rail's own config type behind one shape,
 * so the registry is a plain list and adding a rail is one entry there.
 */
import type { SchemeFacilitator } from '@x402-rails/core';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ConfigSources } from '../config/fields.js';
import { ConfigFileError, configErrorMap } from '../config/issues.js';

export interface RailContext {
  /** Where the entry sits in the config, e.g. `rails[0]`, for messages. */
  field: string;
  logger: Logger;
}

export interface RailSpec<C extends { type: string }, F extends SchemeFacilitator> {
  type: C['type'];
  /** The entry's schema (strict, so a misspelt key fails); paths and secrets resolve here. */
  schema(sources: ConfigSources): z.ZodType<C>;
  /** Builds the facilitator role; what it throws becomes a config error naming the entry. */
  create(config: C, context: RailContext): F | Promise<F>;
  /**
   * What the service logs once the rail is built, as `<type> facilitator`: addresses, accounts
   * and the names of the variables holding secrets — never a secret itself.
   */
  announce?(config: C, facilitator: F): Record<string, unknown>;
}

/** A parsed rail entry, ready to build once the whole config is known to be valid. */
export interface PreparedRail {
  type: string;
  build(context: RailContext): Promise<SchemeFacilitator>;
}

export type RailParse =
  | { ok: true; rail: PreparedRail }
  | { ok: false; issues: readonly z.core.$ZodIssue[] };

export interface RailDefinition {
  type: string;
  parse(value: unknown, sources: ConfigSources): RailParse;
}

async function build<C extends { type: string }, F extends SchemeFacilitator>(
  spec: RailSpec<C, F>,
  config: C,
  context: RailContext,
): Promise<F> {
  let facilitator: F;
  try {
    facilitator = await spec.create(config, context);
  } catch (error) {
    if (error instanceof ConfigFileError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigFileError(`${context.field}: ${reason}`);
  }
  if (spec.announce)
    context.logger.info(spec.announce(config, facilitator), `${spec.type} facilitator`);
  return facilitator;
}

export function defineRail<C extends { type: string }, F extends SchemeFacilitator>(
  spec: RailSpec<C, F>,
): RailDefinition {
  return {
    type: spec.type,
    parse(value, sources) {
      const parsed = spec.schema(sources).safeParse(value, { error: configErrorMap });
      if (!parsed.success) return { ok: false, issues: parsed.error.issues };
      const config = parsed.data;
      return {
        ok: true,
        rail: { type: spec.type, build: (context) => build(spec, config, context) },
      };
    },
  };
}
