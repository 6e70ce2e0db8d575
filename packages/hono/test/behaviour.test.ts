/** The adapter behaviour suite, on a real Hono app, with the toy rail and the EVM rail on Anvil. */
import { createEvmExactClient } from '@x402-rails/evm/client';
import { createEvmExactFacilitator } from '@x402-rails/evm/facilitator';
import { createEvmExactServer } from '@x402-rails/evm/server';
import { runAdapterBehaviour, startEvmRailUnderTest } from '@x402-rails/testkit/adapters';
import { startHonoApp } from './app.js';

runAdapterBehaviour({
  name: 'hono',
  start: startHonoApp,
  rails: async () => [
    await startEvmRailUnderTest({
      createEvmExactClient,
      createEvmExactServer,
      createEvmExactFacilitator,
    }),
  ],
});
