/**
 * A USDC-like mint under Token-2022: the client reads the mint's owner, builds the same
 * TransferChecked with the Token-2022 program, and the facilitator derives the destination with
 * Token-2022 as seed, verifies and settles it.
 */
import { TOKEN_2022_PROGRAM } from '@x402-rails/testkit/solana';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSolanaExactClient } from '../src/client.js';
import { SolanaReason } from '../src/index.js';
import { type Rig, rig } from './helpers.js';

let r: Rig;
beforeAll(async () => {
  r = await rig({ chain: { tokenProgram: TOKEN_2022_PROGRAM } });
});
afterAll(() => r?.close());

it('settles a Token-2022 TransferChecked', async () => {
  // A client that does not know the mint: it reads the owner (Token-2022) and decimals on chain.
  const client = createSolanaExactClient({ signer: r.payer.secretKey, rpcUrl: r.chain.rpcUrl });
  const payload = await r.pay(r.requirements, client);
  expect(await r.facilitator.verify(payload, r.requirements)).toEqual({
    isValid: true,
    payer: r.payer.address,
  });
  const settled = await r.facilitator.settle(payload, r.requirements);
  expect(settled).toMatchObject({ success: true, payer: r.payer.address });
  expect(await r.chain.tokenBalanceOf(r.merchant.address)).toBe(10_000n);
});

it('refuses a Token-2022 mint paid through the Token program (wrong destination)', async () => {
  // The network table claims the mint is a Token mint: the derived accounts are Token's.
  const tokenTable = createSolanaExactClient({
    signer: r.payer.secretKey,
    networks: [
      {
        ...r.network,
        usdc: {
          address: r.chain.usdc,
          tokenProgram: 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA',
        },
      },
    ],
  });
  const payload = await r.pay(r.requirements, tokenTable);
  const verdict = await r.facilitator.verify(payload, r.requirements);
  expect(verdict.isValid).toBe(false);
  expect([SolanaReason.simulationFailed, SolanaReason.destinationMissing]).toContain(
    verdict.invalidReason,
  );
});
