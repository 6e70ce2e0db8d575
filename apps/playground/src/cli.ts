/**
 * x402-rails-playground: starts the playground, writes its manifest, runs the agent, and serves
 * until SIGINT/SIGTERM (or exits after the agent with --once).
 */
import { runAgent } from './agent.js';
import { CliUsageError, parseCliArgs, USAGE } from './args.js';
import { writeManifest } from './manifest.js';
import { startPlayground } from './playground.js';

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

  const playground = await startPlayground({ port: options.port, log });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: closing the servers`);
    playground.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`failed to close cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const { manifest } = playground;
  let agentRun: Awaited<ReturnType<typeof runAgent>> | undefined;
  try {
    const manifestPath = await writeManifest(manifest, options.manifestPath);
    if (options.json) process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
    log(`facilitator ${manifest.facilitator.url}`);
    log(`paid API    ${manifest.api.url} (GET / returns the manifest)`);
    for (const endpoint of manifest.paidEndpoints) {
      log(
        `  ${endpoint.method} ${endpoint.url} · ${endpoint.price} (${endpoint.amount} ${endpoint.asset} atomic)`,
      );
    }
    log(`manifest    ${manifestPath}`);
    agentRun = await runAgent(playground, { log });
  } catch (error) {
    await playground.close();
    throw error;
  }

  if (options.once) {
    await playground.close();
    if (!agentRun.allSettled) log('some paid requests did not end with a successful receipt');
    return agentRun.allSettled ? 0 : 1;
  }
  log('serving until Ctrl-C');
  // The open servers keep the process alive; `stop` exits.
  return new Promise<number>(() => {});
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
