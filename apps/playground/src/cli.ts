/**
 * x402-rails-playground: starts the playground (every rail, with Anvil, LiteSVM and a Stripe double
 * under them, the paid API and the paid MCP tool), writes its manifest, runs the agents, and serves until
 * SIGINT/SIGTERM (or exits after the agents with --once). Every way out closes the servers and stops the chain.
 */
import { type AgentRun, runAgents } from './agent.js';
import { CliUsageError, parseCliArgs, USAGE } from './args.js';
import { writeManifest } from './manifest.js';
import { type Playground, startPlayground } from './playground.js';
import { formatAmount } from './rails/rail.js';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // With --json, stdout carries exactly one JSON document, so people's lines go to stderr.
  const out = options.json ? process.stderr : process.stdout;
  const log = (line: string) => out.write(`${line}\n`);

  // Signals are handled from the start: one during start-up (Anvil takes a moment) waits for the
  // start, then closes everything it started.
  const starting = startPlayground({
    port: options.port,
    log,
    stripe: options.stripe,
    solana: options.solana,
    deferred: options.deferred,
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // The chain node dies with this process either way (the launcher kills it on exit).
      log(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: closing the servers and stopping the chain`);
    starting.then(
      (playground) =>
        playground.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`failed to close cleanly: ${String(error)}\n`);
            process.exit(1);
          },
        ),
      () => {}, // a failed start is reported by main
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const playground = await starting;
  let agentRun: AgentRun;
  let redeemed = true;
  try {
    agentRun = await announceAndRun(playground, options, log);
    if (options.redeem) redeemed = await redeemOnce(playground, log);
    else await announceOwed(playground, log);
  } catch (error) {
    await playground.close();
    throw error;
  }

  if (options.once) {
    await playground.close();
    if (!agentRun.allSettled) {
      log('some paid requests or MCP calls did not end with a successful receipt');
    }
    return agentRun.allSettled && redeemed ? 0 : 1;
  }
  log('serving until Ctrl-C');
  // The open servers keep the process alive; `stop` exits.
  return new Promise<number>(() => {});
}

async function announceAndRun(
  playground: Playground,
  options: ReturnType<typeof parseCliArgs>,
  log: (line: string) => void,
): Promise<AgentRun> {
  const { manifest } = playground;
  const manifestPath = await writeManifest(manifest, options.manifestPath);
  if (options.json) process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
  log(`facilitator ${manifest.facilitator.url}`);
  log(`paid API    ${manifest.api.url} (GET / returns the manifest)`);
  for (const chain of manifest.chains) {
    log(
      `chain       ${chain.network} at ${chain.rpcUrl} (${chain.rail === 'solana' ? 'LiteSVM' : 'Anvil'}) · test USDC ${chain.token}`,
    );
  }
  for (const endpoint of manifest.paidEndpoints) {
    log(
      `  ${endpoint.rail.padEnd(3)} ${endpoint.method} ${endpoint.url} · ${endpoint.price}` +
        ` (${endpoint.amount} ${endpoint.symbol} atomic on ${endpoint.network})`,
    );
  }
  for (const tool of manifest.mcp) {
    const offers = tool.rails.map(
      (rail) => `${rail.amount} ${rail.symbol} atomic on ${rail.network}`,
    );
    log(`MCP tool    ${tool.tool} at ${tool.url} · ${tool.price} (${offers.join(' or ')})`);
  }
  if (manifest.redeem) {
    log(
      `redeem      ${manifest.redeem.method} ${manifest.redeem.url} (deferred vouchers, one claim transaction)`,
    );
  }
  log(`manifest    ${manifestPath}`);
  return runAgents(playground, { log });
}

/** What the deferred agent's vouchers owe the merchant, and how to collect it. */
async function announceOwed(playground: Playground, log: (line: string) => void): Promise<void> {
  const rail = playground.deferred;
  const redeem = playground.manifest.redeem;
  if (!rail || !redeem) return;
  const channel = await rail.ledger.get(rail.channel().channelId);
  const owed = (channel?.charged ?? 0n) - (channel?.claimed ?? 0n);
  log(
    `[deferred] vouchers owe ${formatAmount(rail.asset, owed)} on channel ${rail.channel().channelId}` +
      ` · collect them in one claim: ${redeem.method} ${redeem.url}`,
  );
}

/** One batch redemption of the deferred rail, reported per channel; false when it failed. */
async function redeemOnce(playground: Playground, log: (line: string) => void): Promise<boolean> {
  const rail = playground.deferred;
  if (!rail) {
    log('--redeem: the deferred rail is not running (--no-deferred)');
    return false;
  }
  try {
    const summary = await rail.redeem();
    for (const channel of summary.channels) {
      log(
        `[deferred] redeemed channel ${channel.channelId} · payer ${channel.payer}` +
          ` · collected ${formatAmount(rail.asset, channel.collected)}`,
      );
    }
    log(
      summary.transaction
        ? `[deferred] redemption ${summary.state} · tx ${summary.transaction} · collected ${formatAmount(rail.asset, summary.collected)} in one claim`
        : '[deferred] redemption: nothing owed',
    );
    return summary.state !== 'dropped';
  } catch (error) {
    log(`[deferred] redemption failed: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
