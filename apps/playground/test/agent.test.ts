import { describe, expect, it } from 'vitest';
import { runAgents } from '../src/agent.js';
import { DEFAULT_AGENT_BALANCE } from '../src/playground.js';
import { ANVIL, EVM_TX, start, TOY_TX } from './helpers.js';

describe('runAgents', () => {
  it('each agent pays every endpoint on its own rail, with a receipt, and both rails move by the sum of the prices', async () => {
    const playground = await start();
    const { toy, evm } = playground;
    const lines: string[] = [];

    const run = await runAgents(playground, {
      requestsPerEndpoint: 2,
      log: (line) => lines.push(line),
    });

    expect(run.requests).toHaveLength(8);
    expect(run.mcpCalls).toHaveLength(2);
    expect(run.allSettled).toBe(true);
    expect(run.requests.map((r) => [r.rail, r.network, r.price])).toEqual([
      ['toy', 'toy:local', '0.001 TOY'],
      ['toy', 'toy:local', '0.01 TOY'],
      ['toy', 'toy:local', '0.001 TOY'],
      ['toy', 'toy:local', '0.01 TOY'],
      ['evm', ANVIL, '0.001 USDC'],
      ['evm', ANVIL, '0.01 USDC'],
      ['evm', ANVIL, '0.001 USDC'],
      ['evm', ANVIL, '0.01 USDC'],
    ]);
    for (const request of run.requests) {
      expect(request).toMatchObject(
        request.rail === 'toy'
          ? { status: 200, settled: true, payer: toy.agent.wallet.address, asset: 'TOY' }
          : { status: 200, settled: true, payer: evm.agent.wallet.address, asset: evm.asset.id },
      );
      expect(request.transaction).toMatch(request.rail === 'toy' ? TOY_TX : EVM_TX);
    }
    expect(new Set(run.requests.map((r) => r.transaction)).size).toBe(8);
    expect(run.mcpCalls.map((c) => [c.rail, c.tool, c.price, c.settled])).toEqual([
      ['toy', 'weather', '0.01 TOY', true],
      ['evm', 'weather', '0.01 USDC', true],
    ]);
    expect(run.mcpCalls[0]?.transaction).toMatch(TOY_TX);
    expect(run.mcpCalls[0]?.payer).toBe(toy.agent.wallet.address);
    expect(run.mcpCalls[1]?.transaction).toMatch(EVM_TX);
    expect(run.mcpCalls[1]?.payer).toBe(evm.agent.wallet.address);
    expect(run.mcpCalls[0]?.text).toMatch(/^Oslo: /);

    // 2 × ($0.001 + $0.01) over HTTP, and $0.01 over MCP, per rail.
    const paid = 32_000n;
    expect(run.balances).toEqual({
      toy: { agent: DEFAULT_AGENT_BALANCE - paid, merchant: paid },
      evm: { agent: DEFAULT_AGENT_BALANCE - paid, merchant: paid },
    });
    expect(await evm.chain.balanceOf(evm.merchant.address)).toBe(paid);
    expect(await playground.balances()).toEqual(run.balances);

    const evmJoke = lines.find(
      (line) => line.startsWith('[evm agent] GET') && line.includes('/joke'),
    );
    expect(evmJoke).toContain(`0.01 USDC on ${ANVIL} · HTTP 200`);
    expect(evmJoke).toContain(`tx ${run.requests[5]?.transaction}`);
    expect(evmJoke).toContain(`payer ${evm.agent.wallet.address}`);
    const toyMcp = lines.find((line) => line.startsWith('[toy agent] MCP'));
    expect(toyMcp).toBe(
      `[toy agent] MCP weather {"city":"Oslo"} at ${playground.manifest.mcp[0]?.url} · 0.01 TOY on toy:local` +
        ` · "${run.mcpCalls[0]?.text}" · tx ${run.mcpCalls[0]?.transaction} · payer ${toy.agent.wallet.address}`,
    );
    const toyWeather = lines.find((line) => line.startsWith('[toy agent] GET'));
    expect(toyWeather).toContain('/weather · 0.001 TOY on toy:local · HTTP 200');
    expect(lines.slice(-2)).toEqual([
      '[toy agent] balances · agent 9.968 TOY · merchant 0.032 TOY',
      '[evm agent] balances · agent 9.968 USDC · merchant 0.032 USDC',
    ]);
  });

  it('reports a request it could not pay instead of throwing, on both rails', async () => {
    const playground = await start({ agentBalance: 5_000n });

    const run = await runAgents(playground, { requestsPerEndpoint: 1, callsPerTool: 0 });

    expect(run.allSettled).toBe(false);
    expect(run.requests.map((r) => [r.rail, r.settled, r.amount])).toEqual([
      ['toy', true, '1000'],
      ['toy', false, '10000'],
      ['evm', true, '1000'],
      ['evm', false, '10000'],
    ]);
    expect(run.requests[1]?.status).not.toBe(200);
    expect(run.requests[3]?.status).not.toBe(200);
    expect(run.requests[3]?.error).toMatch(/^HTTP 402/);
    expect(run.balances).toEqual({
      toy: { agent: 4_000n, merchant: 1_000n },
      evm: { agent: 4_000n, merchant: 1_000n },
    });
  });

  it('counts an MCP call it could not pay as unsettled', async () => {
    // Enough for the HTTP requests (0.011 each rail), not for the $0.01 tool on top.
    const playground = await start({ agentBalance: 15_000n });
    const lines: string[] = [];

    const run = await runAgents(playground, {
      requestsPerEndpoint: 1,
      log: (line) => lines.push(line),
    });

    expect(run.requests.every((r) => r.settled)).toBe(true);
    expect(run.mcpCalls.map((c) => [c.rail, c.settled])).toEqual([
      ['toy', false],
      ['evm', false],
    ]);
    expect(run.allSettled).toBe(false);
    expect(
      lines.filter((line) => /^\[(toy|evm) agent\] MCP .* NOT PAID: /.test(line)),
    ).toHaveLength(2);
    expect(run.balances).toEqual({
      toy: { agent: 4_000n, merchant: 11_000n },
      evm: { agent: 4_000n, merchant: 11_000n },
    });
  });
});
