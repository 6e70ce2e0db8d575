/**
 * The toy rail (from @x402-rails/testkit): Ed25519-signed transfers on a chain kept in a JSON
 * file, so it outlives the facilitator the way a real chain does. For local runs and tests.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createToyChain, createToyFacilitator, TOY_NETWORK } from '@x402-rails/testkit';
import { z } from 'zod';
import { type ConfigSources, millis, networkField, pathField } from '../config/fields.js';
import { ConfigFileError } from '../config/issues.js';
import { defineRail, type RailContext } from './define.js';

function toySchema(sources: ConfigSources) {
  return z.strictObject({
    type: z.literal('toy'),
    network: networkField.default(TOY_NETWORK),
    /** The chain's durable state; required, because a chain in memory would forget transfers. */
    chainFile: pathField(sources),
    holds: z.boolean().optional(),
    /** Stops or slows settle after the money moved, to test crash recovery and shutdown. */
    testHooks: z
      .strictObject({
        hangAfterTransfer: z.boolean().optional(),
        delayAfterTransferMs: millis(0).optional(),
      })
      .optional(),
  });
}

type ToyRailConfig = z.output<ReturnType<typeof toySchema>>;

function loadChain(file: string, field: string) {
  try {
    mkdirSync(dirname(file), { recursive: true });
    return createToyChain({ file });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigFileError(`${field}.chainFile: cannot load ${file}: ${reason}`);
  }
}

/** The test hooks as the rail's `afterTransfer`, announced loudly: they must never reach production. */
function testHook(config: ToyRailConfig, { field, logger }: RailContext) {
  const hooks = config.testHooks;
  if (!hooks || (!hooks.hangAfterTransfer && hooks.delayAfterTransferMs === undefined))
    return undefined;
  logger.warn(
    { field: `${field}.testHooks`, testHooks: hooks },
    'rail test hooks are on: for tests only, never in production',
  );
  return async () => {
    if (hooks.delayAfterTransferMs !== undefined) {
      logger.info(
        { field: `${field}.testHooks`, delayMs: hooks.delayAfterTransferMs },
        'test hook: delaying after transfer',
      );
      await sleep(hooks.delayAfterTransferMs);
    }
    if (hooks.hangAfterTransfer) {
      logger.info({ field: `${field}.testHooks` }, 'test hook: hanging after transfer');
      // Never settles: the journal is not told, exactly like a process killed at this point.
      await new Promise<never>(() => {});
    }
  };
}

export const toyRail = defineRail({
  type: 'toy',
  schema: toySchema,
  create(config, context) {
    const afterTransfer = testHook(config, context);
    return createToyFacilitator({
      chain: loadChain(config.chainFile, context.field),
      network: config.network,
      ...(config.holds !== undefined ? { holds: config.holds } : {}),
      ...(afterTransfer ? { afterTransfer } : {}),
    });
  },
});
