/** Command-line options of x402-rails-facilitator. */
import { parseArgs } from 'node:util';

export interface CliOptions {
  configPath: string | undefined;
  /** Overrides `listen.port` (0: a free port). */
  port: number | undefined;
  help: boolean;
}

export const USAGE = `Usage: x402-rails-facilitator --config <file> [--port <n>]

Runs the x402 facilitator HTTP service (/verify /settle /release /supported /health /metrics)
with the rails and store named in the JSON config file. Stops gracefully on SIGTERM or Ctrl-C.

Options:
  --config <file>   the JSON config file (required); relative paths in it resolve against its folder
  --port <n>        listen on this port instead of listen.port (0: a free port)
  -h, --help        show this help`;

/** Bad flags: the CLI prints the message and the usage, and exits with code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port > 65_535)
    throw new CliUsageError(`--port must be 0-65535, got "${text}"`);
  return port;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  // A lone leading `--` is what some script runners forward ahead of the real flags.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: {
    config?: string | undefined;
    port?: string | undefined;
    help?: boolean | undefined;
  };
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const help = values.help ?? false;
  if (!help && values.config === undefined) throw new CliUsageError('--config <file> is required');
  return {
    configPath: values.config,
    port: values.port === undefined ? undefined : parsePort(values.port),
    help,
  };
}
