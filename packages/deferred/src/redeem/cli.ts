/**
 * `x402-rails-redeem --config <file> [--once]`: runs redemption once (cron) or every
 * `intervalSeconds`. Exit codes: 0 done, 1 a run failed, 2 bad usage or config.
 */
import { resolve } from 'node:path';
import { createPublicClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { DeferredLedger } from '../ledger/types.js';
import {
  fromFactory,
  parseConfig,
  type RedeemCliIo,
  readJson,
  runRepeatedly,
  UsageError,
} from './cli-support.js';
import { type RedeemConfig, redeemConfigSchema } from './config.js';
import { type RedeemReport, redeem } from './redeem.js';

export type { RedeemCliIo } from './cli-support.js';

const defaultIo = (): RedeemCliIo => ({
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});

async function loadLedger(config: RedeemConfig, configPath: string): Promise<DeferredLedger> {
  const spec = config.ledger.module;
  const ledger = (await fromFactory(
    'ledger',
    spec,
    config.ledger.export,
    config.ledger.options,
    configPath,
  )) as Partial<DeferredLedger> | undefined;
  for (const method of [
    'redeemable',
    'recordClaim',
    'saveRedemption',
    'pendingRedemptions',
  ] as const) {
    if (typeof ledger?.[method] !== 'function') {
      throw new UsageError(`ledger from ${spec} is not a DeferredLedger (no ${method})`);
    }
  }
  return ledger as DeferredLedger;
}

function reportLines(report: RedeemReport): string[] {
  const lines: string[] = [];
  for (const batch of [...report.resumed, ...(report.batch ? [report.batch] : [])]) {
    for (const c of batch.channels) {
      lines.push(
        JSON.stringify({
          event: 'collected',
          transaction: batch.transaction,
          channelId: c.channelId,
          payer: c.payer,
          collected: c.collected.toString(),
          totalClaimed: c.totalClaimed.toString(),
        }),
      );
    }
    lines.push(
      JSON.stringify({
        event: 'batch',
        transaction: batch.transaction,
        state: batch.state,
        channels: batch.channels.length,
        collected: batch.collected.toString(),
      }),
    );
  }
  for (const u of report.unpayable) {
    lines.push(
      JSON.stringify({
        event: 'unpayable',
        channelId: u.channelId,
        payer: u.payer,
        owed: u.owed.toString(),
      }),
    );
  }
  if (report.skipped) lines.push(JSON.stringify({ event: 'skipped', reason: report.skipped }));
  return lines;
}

/** Runs the CLI with `args` (without node and script); resolves to the exit code. */
export async function runRedeemCli(
  args: readonly string[],
  io: RedeemCliIo = defaultIo(),
): Promise<number> {
  let config: RedeemConfig;
  let ledger: DeferredLedger;
  let key: Hex;
  let configPath: string;
  let once = false;
  try {
    const at = args.indexOf('--config');
    const path = at >= 0 ? args[at + 1] : undefined;
    once = args.includes('--once');
    const unknown = args.filter(
      (a, i) => a.startsWith('-') && a !== '--config' && a !== '--once' && i !== at + 1,
    );
    if (!path || unknown.length > 0) {
      throw new UsageError('usage: x402-rails-redeem --config <file.json> [--once]');
    }
    configPath = resolve(path);
    const json = await readJson(configPath);
    // The credit-backed path's config says so; everything else is the on-chain one.
    if (
      typeof json === 'object' &&
      json !== null &&
      (json as { mode?: unknown }).mode === 'credit'
    ) {
      // Loaded only here, so the on-chain job never loads the Stripe SDK.
      const { runCreditRedeemCli } = await import('../credit/cli.js');
      return runCreditRedeemCli({ json, configPath, once, io });
    }
    config = parseConfig(redeemConfigSchema, json, configPath);
    const secret = io.env[config.privateKeyEnv];
    if (!secret || !/^0x[0-9a-fA-F]{64}$/.test(secret)) {
      throw new UsageError(
        `environment variable ${config.privateKeyEnv} must hold a 0x-prefixed 32-byte private key`,
      );
    }
    key = secret as Hex;
    ledger = await loadLedger(config, configPath);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }

  const client = createPublicClient({ transport: http(config.rpcUrl) });
  const signer = privateKeyToAccount(key);
  const runOnce = async (): Promise<boolean> => {
    try {
      const report = await redeem({
        ledger,
        network: config.network as `eip155:${number}`,
        escrow: config.escrow as Hex,
        client,
        signer,
        ...(config.minUnclaimed !== undefined ? { minUnclaimed: BigInt(config.minUnclaimed) } : {}),
        ...(config.minTotal !== undefined ? { minTotal: BigInt(config.minTotal) } : {}),
        ...(config.maxChannels !== undefined ? { maxChannels: config.maxChannels } : {}),
        ...(config.receiptTimeoutSeconds !== undefined
          ? { receiptTimeoutMs: config.receiptTimeoutSeconds * 1000 }
          : {}),
      });
      for (const line of reportLines(report)) io.out(line);
      return true;
    } catch (error) {
      io.err(`redemption failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  };

  return runRepeatedly(runOnce, {
    once,
    intervalSeconds: config.intervalSeconds,
    signal: io.signal,
  });
}
