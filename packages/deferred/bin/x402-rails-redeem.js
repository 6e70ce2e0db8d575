#!/usr/bin/env node
// The redemption job's command line: see `runRedeemCli` in @x402-rails/deferred/redeem.
import { runRedeemCli } from '../dist/redeem.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => controller.abort());
process.exitCode = await runRedeemCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  signal: controller.signal,
});
