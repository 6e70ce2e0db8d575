/** The adapter behaviour suite, on a real Next.js app, with the toy rail and the EVM rail on Anvil. */
import { createEvmExactClient } from '@x402-rails/evm/client';
import { createEvmExactFacilitator } from '@x402-rails/evm/facilitator';
import { createEvmExactServer } from '@x402-rails/evm/server';
import { runAdapterBehaviour, startEvmRailUnderTest } from '@x402-rails/testkit/adapters';
import { startNextApp } from './app.js';

runAdapterBehaviour({
  name: 'next',
  start: startNextApp,
  rails: async () => [
    await startEvmRailUnderTest({
      createEvmExactClient,
      createEvmExactServer,
      createEvmExactFacilitator,
    }),
  ],
});
