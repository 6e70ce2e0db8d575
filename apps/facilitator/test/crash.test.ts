/**
 * The crash from the issue: the facilitator is SIGKILLed after the rail accepted a settlement
 * and before the journal recorded it. On restart, the same settle returns the original result
 * and the rail shows one transfer, not two.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, startFacilitator, tempDir, writeConfig } from './helpers.js';
import { journalRow, toyKey } from './journal.js';
import { fundPayer, paymentRequest, post, TOKEN, transfersOf } from './payments.js';

afterEach(cleanUp);

const LEASE_MS = 1000;
const env = { FACILITATOR_TOKEN: TOKEN };

function config(testHooks?: { hangAfterTransfer: boolean }) {
  return {
    listen: { port: 0 },
    auth: { bearerTokenEnv: 'FACILITATOR_TOKEN' },
    // No `store`: the default, PGlite in ./data next to the config.
    settlement: { leaseMs: LEASE_MS, reconcileIntervalMs: 60_000 },
    rails: [{ type: 'toy', chainFile: 'chain.json', ...(testHooks ? { testHooks } : {}) }],
  };
}

describe('a facilitator killed between the rail and the journal', () => {
  it('returns the original result on restart, and the rail shows one transfer', async () => {
    const dir = await tempDir();
    const chainFile = join(dir, 'chain.json');
    const funded = fundPayer(chainFile);
    const { body, nonce } = await paymentRequest(funded);

    const first = await startFacilitator(
      await writeConfig(dir, config({ hangAfterTransfer: true })),
      env,
    );
    await first.waitForLog(
      (line) => line.msg === 'rail test hooks are on: for tests only, never in production',
    );
    // This request never gets an answer: the process dies while settle is held after the transfer.
    const lost = post(first.url, '/settle', body).catch((error: unknown) => error);
    await first.waitForLog((line) => line.msg === 'test hook: hanging after transfer');
    const [transfer] = transfersOf(chainFile, funded.payer.address, nonce);
    expect(transfer).toBeDefined();
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();
    expect(await lost).toBeInstanceOf(Error);

    const second = await startFacilitator(await writeConfig(dir, config()), env);
    expect(
      second.logs.some(
        (line) => line.msg === 'rail test hooks are on: for tests only, never in production',
      ),
    ).toBe(false);
    // The dead process's lease must run out before anyone may take the settlement over.
    await sleep(Math.max(0, killedAt + LEASE_MS + 250 - Date.now()));

    const retried = await post(second.url, '/settle', body);
    expect(retried).toMatchObject({
      status: 200,
      json: {
        success: true,
        transaction: transfer?.id,
        network: 'toy:local',
        payer: funded.payer.address,
        amount: '1000',
      },
    });
    expect(transfersOf(chainFile, funded.payer.address, nonce)).toHaveLength(1);

    // Settled in the journal now: another retry is answered from it, identically.
    expect((await post(second.url, '/settle', body)).json).toEqual(retried.json);
    expect(transfersOf(chainFile, funded.payer.address, nonce)).toHaveLength(1);

    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const row = await journalRow(join(dir, 'data'), toyKey(funded.payer.address, nonce));
    expect(row).toMatchObject({ state: 'settled', result: retried.json });
  });

  it('reconciles the interrupted settlement by itself at start once the lease has run out', async () => {
    const dir = await tempDir();
    const chainFile = join(dir, 'chain.json');
    const funded = fundPayer(chainFile);
    const { body, nonce } = await paymentRequest(funded);

    const first = await startFacilitator(
      await writeConfig(dir, config({ hangAfterTransfer: true })),
      env,
    );
    const lost = post(first.url, '/settle', body).catch((error: unknown) => error);
    await first.waitForLog((line) => line.msg === 'test hook: hanging after transfer');
    await first.stop('SIGKILL');
    await lost;
    await sleep(LEASE_MS + 250);

    const second = await startFacilitator(await writeConfig(dir, config()), env);
    const [transfer] = transfersOf(chainFile, funded.payer.address, nonce);
    const reconciled = await second.waitForLog(
      (line) => line.msg === 'reconciled an interrupted settlement',
    );
    expect(reconciled).toMatchObject({
      key: toyKey(funded.payer.address, nonce),
      success: true,
      transaction: transfer?.id,
    });
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toContain('x402_facilitator_reconciled_total{result="success"} 1');
    expect((await post(second.url, '/settle', body)).json).toMatchObject({
      success: true,
      transaction: transfer?.id,
    });
    expect(transfersOf(chainFile, funded.payer.address, nonce)).toHaveLength(1);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });
});
