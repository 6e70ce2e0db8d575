/**
 * x402-rails-playground: starts the playground (every rail, with Anvil, LiteSVM and a Stripe double
 * under them, the paid API and the paid MCP tool), writes its manifest, runs the agents, and serves until
 * SIGINT/SIGTERM (or exits after the agents with --once). Every way out closes the servers and stops the chain.
 */
import { type AgentRun, runAgents } from './agent.js';
import { CliUsageError, parseCliArgs, USAGE } from './args.js';
import { writeManifest } from './manifest.js';
import { type Playground, startPlayground } from './playground.js';

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
  try {
    agentRun = await announceAndRun(playground, options, log);
  } catch (error) {
    await playground.close();
    throw error;
  }

  if (options.once) {
    await playground.close();
    if (!agentRun.allSettled) {
      log('some paid requests or MCP calls did not end with a successful receipt');
    }
    return agentRun.allSettled ? 0 : 1;
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
  log(`manifest    ${manifestPath}`);
  return runAgents(playground, { log });
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
