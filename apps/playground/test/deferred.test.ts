/**
 * The deferred rail in the playground: the agent funds its channel, makes many small paid calls
 * served without a chain transaction, and `POST /redeem` collects them all in one claim whose
 * total is the sum of the served prices — checked on chain.
 */
import { describe, expect, it } from 'vitest';
import { runMcpAgent, runRailAgent } from '../src/agent.js';
import { REDEEM_PATH } from '../src/playground.js';
import { DEFAULT_CHANNEL_DEPOSIT, type RedemptionSummary } from '../src/rails/deferred.js';
import { ANVIL, EVM_ADDRESS, start } from './helpers.js';

const COMMITMENT = /^0x[0-9a-f]{64}:[1-9][0-9]*$/;

describe('the deferred rail', () => {
  it('is off unless asked for (--no-deferred is the default of startPlayground)', async () => {
    const playground = await start();
    expect(playground.deferred).toBeUndefined();
    expect(playground.manifest.redeem).toBeUndefined();
    expect(playground.manifest.rails.map((r) => r.name)).toEqual(['toy', 'evm']);
    const response = await fetch(`${playground.manifest.api.url}${REDEEM_PATH}`, {
      method: 'POST',
    });
    expect(response.status).toBe(404);
    await response.arrayBuffer();
  });

  it('serves many small calls from a funded channel and redeems them in one claim on demand', async () => {
    const playground = await start({ deferred: true });
    const { manifest, evm } = playground;
    const rail = playground.deferred;
    if (!rail) throw new Error('no deferred rail');

    // In the manifest: the rail, its wallets, its endpoints (the tiny prices only), the redeem URL.
    expect(manifest.rails.map((r) => r.name)).toEqual(['toy', 'evm', 'deferred']);
    expect(manifest.rails[2]).toMatchObject({ network: ANVIL, rpc: evm.chain.rpcUrl });
    expect(manifest.chains).toHaveLength(1); // the EVM rail's Anvil, shared
    expect(manifest.redeem).toEqual({ method: 'POST', url: `${manifest.api.url}${REDEEM_PATH}` });
    const endpoints = manifest.paidEndpoints.filter((e) => e.rail === 'deferred');
    expect(endpoints.map((e) => [e.scheme, e.network, new URL(e.url).pathname, e.amount])).toEqual([
      ['batch-settlement', ANVIL, '/weather', '1000'],
      ['batch-settlement', ANVIL, '/joke', '10000'],
    ]);
    expect(manifest.wallets.filter((w) => w.rail === 'deferred')).toEqual([
      expect.objectContaining({ role: 'agent', address: expect.stringMatching(EVM_ADDRESS) }),
      expect.objectContaining({ role: 'merchant', address: expect.stringMatching(EVM_ADDRESS) }),
    ]);
    expect(manifest.mcp[0]?.rails.map((r) => r.rail)).toContain('deferred');

    const agentBefore = await evm.chain.balanceOf(rail.agent.address as `0x${string}`);
    const lines: string[] = [];
    // The first call of the agent funds its channel (approve + deposit); later ones find it funded.
    const firstRun = await runRailAgent(rail, manifest.paidEndpoints, {
      requestsPerEndpoint: 1,
      log: (line) => lines.push(line),
    });
    expect(lines[0]).toMatch(
      /^\[deferred agent\] deposited 1000000 atomic test USDC into channel 0x/,
    );
    expect(await rail.channelOnChain()).toEqual({
      balance: DEFAULT_CHANNEL_DEPOSIT,
      totalClaimed: 0n,
    });

    // Many small calls, each served with a voucher only: not one block is mined meanwhile.
    const blockBefore = await evm.chain.publicClient.getBlockNumber();
    const manyRun = await runRailAgent(rail, manifest.paidEndpoints, {
      log: (line) => lines.push(line),
    });
    const mcpRun = await runMcpAgent(rail, manifest.mcp);
    expect(await evm.chain.publicClient.getBlockNumber()).toBe(blockBefore);
    expect(manyRun).toHaveLength(50);
    const results = [...firstRun, ...manyRun, ...mcpRun];
    for (const result of results) {
      expect(result).toMatchObject({ settled: true, network: ANVIL });
      expect(result.transaction).toMatch(COMMITMENT);
    }
    // The last commitment names the channel's cumulative: the sum of every price served.
    const served = results.reduce((sum, r) => sum + BigInt(r.amount), 0n);
    expect(served).toBe(26n * 1000n + 26n * 10_000n + 10_000n);
    expect(results.at(-1)?.transaction).toBe(`${rail.channel().channelId}:${served}`);
    expect((await playground.balances()).deferred).toEqual({
      agent: agentBefore - DEFAULT_CHANNEL_DEPOSIT,
      merchant: 0n,
    });

    // Redemption on demand: one claim transaction collecting exactly what was served.
    const redeemed = await fetch(manifest.redeem?.url ?? '', { method: 'POST' });
    expect(redeemed.status).toBe(200);
    const summary = (await redeemed.json()) as RedemptionSummary;
    expect(summary).toMatchObject({
      rail: 'deferred',
      network: ANVIL,
      escrow: rail.escrow,
      state: 'confirmed',
      collected: served.toString(),
      channels: [
        {
          channelId: rail.channel().channelId,
          payer: expect.stringMatching(new RegExp(`^${rail.agent.address}$`, 'i')),
          collected: served.toString(),
          totalClaimed: served.toString(),
        },
      ],
    });
    const receipt = await evm.chain.publicClient.getTransactionReceipt({
      hash: summary.transaction as `0x${string}`,
    });
    expect(receipt.status).toBe('success');
    expect(await evm.chain.publicClient.getBlockNumber()).toBe(blockBefore + 1n);

    // On chain: the merchant holds the sum, the escrow counts it claimed, the agent paid only it.
    expect(await evm.chain.balanceOf(rail.merchant.address)).toBe(served);
    expect(await rail.channelOnChain()).toEqual({
      balance: DEFAULT_CHANNEL_DEPOSIT,
      totalClaimed: served,
    });
    expect((await playground.balances()).deferred).toEqual({
      agent: agentBefore - DEFAULT_CHANNEL_DEPOSIT,
      merchant: served,
    });

    // Again: nothing owed, no transaction, nothing paid twice.
    const again = (await (
      await fetch(manifest.redeem?.url ?? '', { method: 'POST' })
    ).json()) as RedemptionSummary;
    expect(again).toMatchObject({ collected: '0', channels: [] });
    expect(again.transaction).toBeUndefined();
    expect(await evm.chain.balanceOf(rail.merchant.address)).toBe(served);

    const wrongMethod = await fetch(manifest.redeem?.url ?? '');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    await wrongMethod.arrayBuffer();
  }, 60_000);
});
