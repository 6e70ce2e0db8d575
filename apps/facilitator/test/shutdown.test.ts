/**
 * SIGTERM while a settle runs: the service stops accepting, the settle still gets its answer,
 * the journal records it, and the process exits 0.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, spawnFacilitator, startFacilitator, tempDir, writeConfig } from './helpers.js';
import { journalRow, toyKey } from './journal.js';
import { fundPayer, paymentRequest, post, TOKEN, transfersOf } from './payments.js';

afterEach(cleanUp);

const env = { FACILITATOR_TOKEN: TOKEN };

function config(delayAfterTransferMs?: number) {
  return {
    listen: { port: 0 },
    auth: { bearerTokenEnv: 'FACILITATOR_TOKEN' },
    store: { driver: 'pglite', dataDir: './journal' },
    shutdownGraceMs: 10_000,
    rails: [
      {
        type: 'toy',
        chainFile: 'chain.json',
        ...(delayAfterTransferMs ? { testHooks: { delayAfterTransferMs } } : {}),
      },
    ],
  };
}

describe('graceful shutdown', () => {
  it('lets an in-flight settle finish on SIGTERM, then exits 0', async () => {
    const dir = await tempDir();
    const chainFile = join(dir, 'chain.json');
    const funded = fundPayer(chainFile);
    const { body, nonce } = await paymentRequest(funded);

    const service = await startFacilitator(await writeConfig(dir, config(1000)), env);
    const settling = post(service.url, '/settle', body);
    await service.waitForLog((line) => line.msg === 'test hook: delaying after transfer');
    service.child.kill('SIGTERM');
    await service.waitForLog((line) => line.msg === 'shutting down');

    // No new connections while it drains.
    await expect(fetch(`${service.url}/health`)).rejects.toThrow();

    const settled = await settling;
    expect(settled).toMatchObject({
      status: 200,
      json: { success: true, payer: funded.payer.address },
    });
    // Answered while draining: its keep-alive connection closes with the answer instead of
    // idling, so nothing but real work holds the shutdown open.
    expect(settled.headers.get('connection')).toBe('close');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    const order = service.logs.map((line) => (line.path === '/settle' ? 'settle' : line.msg));
    expect(order.indexOf('settle')).toBeGreaterThan(order.indexOf('shutting down'));
    expect(order.at(-1)).toBe('stopped');
    expect(transfersOf(chainFile, funded.payer.address, nonce)).toEqual([
      expect.objectContaining({ id: settled.json['transaction'] }),
    ]);

    // The journal recorded it before the store closed.
    const key = toyKey(funded.payer.address, nonce);
    expect(await journalRow(join(dir, 'journal'), key)).toMatchObject({
      state: 'settled',
      result: settled.json,
    });
    const restarted = await startFacilitator(await writeConfig(dir, config()), env);
    expect((await post(restarted.url, '/settle', body)).json).toEqual(settled.json);
    expect(transfersOf(chainFile, funded.payer.address, nonce)).toHaveLength(1);
    expect(await restarted.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('stops promptly when idle, with keep-alive connections open', async () => {
    const dir = await tempDir();
    fundPayer(join(dir, 'chain.json'));
    const service = await startFacilitator(await writeConfig(dir, config()), env);
    for (let i = 0; i < 3; i++) expect((await fetch(`${service.url}/health`)).status).toBe(200);
    const started = Date.now();
    expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('on SIGTERM during start-up, finishes starting, then stops cleanly', async () => {
    const dir = await tempDir();
    fundPayer(join(dir, 'chain.json'));
    const proc = spawnFacilitator(['--config', await writeConfig(dir, config())], env);
    // Rails are built before the store opens, which takes a while on a fresh directory.
    await proc.waitForLog((line) => line.msg === 'rail ready');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.logs.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['shutting down', 'stopped']),
    );
  });
});
