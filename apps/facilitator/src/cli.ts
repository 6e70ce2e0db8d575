/**
 * x402-rails-facilitator --config <file>: loads the config, starts the service, and stops it
 * gracefully on SIGTERM/SIGINT. Exit codes: 0 stopped cleanly, 1 failed at run time, 2 bad
 * flags or config (the message, never a stack trace, on stderr).
 */
import { CliUsageError, parseCliArgs, USAGE } from './args.js';
import { ConfigFileError } from './config/issues.js';
import { loadConfig } from './config/load.js';
import { createLogger } from './logger.js';
import { startService } from './service.js';

const NAME = 'x402-rails-facilitator';

function fail(code: number, message: string): number {
  process.stderr.write(`${NAME}: ${message}\n`);
  return code;
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    return fail(2, `${error.message}\n\n${USAGE}`);
  }
  if (options.help || options.configPath === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig(options.configPath);
  } catch (error) {
    if (error instanceof ConfigFileError) return fail(2, error.message);
    throw error;
  }
  if (options.port !== undefined) config.listen.port = options.port;
  const logger = createLogger(config.log.level);

  // Signals are handled from here on: a SIGTERM during start-up (PGlite can take seconds to
  // create its data directory) waits for the start, then closes cleanly.
  const starting = startService(config, logger);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    // serveFetch cuts connections after the grace period; this is the backstop if closing hangs.
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 10_000).unref();
    starting.then(
      (service) =>
        service.close().then(
          () => {
            logger.info('stopped');
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'failed to stop cleanly');
            process.exit(1);
          },
        ),
      () => {}, // a failed start is reported below
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  try {
    await starting;
  } catch (error) {
    if (error instanceof ConfigFileError) return fail(2, error.message);
    logger.fatal({ err: error }, 'failed to start');
    return fail(1, `failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }
  // The open server keeps the process alive; `stop` exits.
  return new Promise<number>(() => {});
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `${NAME}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
