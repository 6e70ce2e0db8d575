/** Builds the configured rails into the registry the facilitator engine serves. */
import { SchemeRegistry } from '@x402-rails/core';
import type { SchemeFacilitator } from '@x402-rails/core/facilitator';
import type { Logger } from 'pino';
import { ConfigFileError } from '../config/issues.js';
import type { PreparedRail } from './define.js';

export async function buildRails(
  rails: readonly PreparedRail[],
  logger: Logger,
): Promise<SchemeRegistry<SchemeFacilitator>> {
  const registry = new SchemeRegistry<SchemeFacilitator>();
  for (const [index, prepared] of rails.entries()) {
    const field = `rails[${index}]`;
    const rail = await prepared.build({ field, logger: logger.child({ rail: field }) });
    try {
      registry.register(rail);
    } catch (error) {
      // Two entries for one scheme and network: which one should settle would be a coin toss.
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigFileError(`${field}: ${reason}`);
    }
    logger.info(
      { rail: field, type: prepared.type, scheme: rail.scheme, networks: rail.networks },
      'rail ready',
    );
  }
  return registry;
}
