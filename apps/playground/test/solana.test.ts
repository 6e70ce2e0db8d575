/** The playground with the Solana rail: a local LiteSVM JSON-RPC, and the Solana agent pays on it. */
import { decodePaymentRequiredHeader } from '@x402-rails/core';
import { describe, expect, it } from 'vitest';
import { runAgents } from '../src/agent.js';
import { parseCliArgs } from '../src/args.js';
import { LOOPBACK_URL, start } from './helpers.js';

const SOLANA_TX = /^[1-9A-HJ-NP-Za-km-z]{64,88}$/;

describe('the playground with --solana', () => {
  it('offers the Solana rail on every route, and its agent pays there', async () => {
    const playground = await start({ solana: true });
    const { manifest, solana } = playground;
    if (!solana) throw new Error('the Solana rail did not start');
    expect(solana.chain.rpcUrl).toMatch(LOOPBACK_URL);
    expect(manifest.rails).toContainEqual(
      expect.objectContaining({
        name: 'solana',
        network: solana.network,
        rpc: solana.chain.rpcUrl,
      }),
    );
    expect(manifest.chains).toContainEqual({
      rail: 'solana',
      network: solana.network,
      rpcUrl: solana.chain.rpcUrl,
      token: solana.chain.usdc,
    });
    expect(manifest.wallets.filter((w) => w.rail === 'solana').map((w) => w.role)).toEqual([
      'agent',
      'merchant',
    ]);
    const weather = await fetch(`${manifest.api.url}/weather`);
    const offered = decodePaymentRequiredHeader(weather.headers.get('payment-required') ?? '');
    expect(offered.accepts.map((a) => a.network)).toContain(solana.network);

    const run = await runAgents(playground, { requestsPerEndpoint: 1 });
    const paid = run.requests.filter((r) => r.rail === 'solana');
    expect(paid.length).toBeGreaterThan(0);
    for (const request of paid)
      expect(request).toMatchObject({
        settled: true,
        transaction: expect.stringMatching(SOLANA_TX),
      });
    expect(run.allSettled).toBe(true);
    const { agent, merchant } = run.balances.solana;
    expect(merchant).toBeGreaterThan(0n);
    expect(agent + merchant).toBe(
      BigInt(manifest.wallets.find((w) => w.rail === 'solana' && w.role === 'agent')?.balance ?? 0),
    );
  });

  it('is on by default and left out with --no-solana', () => {
    expect(parseCliArgs([])).toMatchObject({ solana: true });
    expect(parseCliArgs(['--no-solana'])).toMatchObject({ solana: false, stripe: true });
  });
});
