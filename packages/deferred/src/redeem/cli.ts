/**
 * `x402-rails-redeem --config <file> [--once]`: runs redemption once (cron) or every
 * `intervalSeconds`. Exit codes: 0 done, 1 a run failed, 2 bad usage or config.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPublicClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { DeferredLedger } from '../ledger/types.js';
import { type RedeemConfig, redeemConfigSchema } from './config.js';
import { type RedeemReport, redeem } from './redeem.js';

export interface RedeemCliIo {
  env: Readonly<Record<string, string | undefined>>;
  out(line: string): void;
  err(line: string): void;
  /** Stops an interval run (tests, signals). */
  signal?: AbortSignal;
}

class UsageError extends Error {}

const defaultIo = (): RedeemCliIo => ({
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});

async function loadConfig(path: string): Promise<RedeemConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read config ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config ${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = redeemConfigSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new UsageError(`config ${path} is invalid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

async function loadLedger(config: RedeemConfig, configPath: string): Promise<DeferredLedger> {
  const spec = config.ledger.module;
  const target =
    spec.startsWith('.') || isAbsolute(spec)
      ? pathToFileURL(resolve(dirname(configPath), spec)).href
      : spec;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot load ledger module ${spec}: ${(error as Error).message}`);
  }
  const factory = mod[config.ledger.export];
  if (typeof factory !== 'function') {
    throw new UsageError(`ledger module ${spec} has no function export ${config.ledger.export}`);
  }
  const ledger = (await factory(config.ledger.options)) as Partial<DeferredLedger> | undefined;
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
    config = await loadConfig(configPath);
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

  if (once || config.intervalSeconds === undefined) return (await runOnce()) ? 0 : 1;
  const interval = config.intervalSeconds * 1000;
  let ok = true;
  while (!io.signal?.aborted) {
    ok = (await runOnce()) && ok;
    await new Promise<void>((done) => {
      const timer = setTimeout(done, interval);
      io.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          done();
        },
        { once: true },
      );
    });
  }
  return ok ? 0 : 1;
}
