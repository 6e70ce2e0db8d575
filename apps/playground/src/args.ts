/** Command-line options of the playground. */
import { parseArgs } from 'node:util';
import { DEFAULT_MANIFEST_PATH } from './manifest.js';

export interface CliOptions {
  /** Manifest JSON on stdout; the human log moves to stderr. */
  json: boolean;
  /** Run the agents once, close everything and exit. */
  once: boolean;
  manifestPath: string;
  port: number;
  help: boolean;
  /** Start the Stripe card rail (on a local Stripe double); on unless `--no-stripe`. */
  stripe: boolean;
  /** Start the Solana rail (LiteSVM behind a local JSON-RPC server); on unless `--no-solana`. */
  solana: boolean;
  /** Start the deferred rail (vouchers on the Anvil chain's escrow); on unless `--no-deferred`. */
  deferred: boolean;
  /** After the agents, run one batch redemption of the deferred rail and print its report. */
  redeem: boolean;
}

export const USAGE = `Usage: x402-rails-playground [options]

Starts every rail on local parts — the toy rail, USDC on a local EVM chain (Anvil), deferred
vouchers on an escrow on that chain, USDC on a local Solana (LiteSVM) and cards on a local Stripe
double — a facilitator for them, a paid API and a paid MCP tool on 127.0.0.1, runs an agent per
rail that pays them, writes a manifest of what it started and keeps serving until Ctrl-C (which
also stops the chains). POST /redeem on the paid API redeems the deferred vouchers on demand.

Options:
  --json              print the manifest as JSON on stdout (log lines go to stderr)
  --once              run the agents once, then close the servers, stop the chain and exit
  --manifest <path>   where to write the manifest (default ${DEFAULT_MANIFEST_PATH})
  --port <n>          port of the paid API (default 0: a free port)
  --no-stripe         leave out the Stripe card rail (a local Stripe double, and a route
                      priced at Stripe's $0.50 minimum charge)
  --no-solana         leave out the Solana rail (USDC on LiteSVM behind a JSON-RPC server on
                      127.0.0.1, the facilitator paying the fees)
  --no-deferred       leave out the deferred rail (batch-settlement vouchers on an escrow on
                      the Anvil chain, redeemed in one transaction by POST /redeem)
  --redeem            after the agents, run one batch redemption of the deferred vouchers and
                      print what it collected per channel
  -h, --help          show this help`;

export class CliUsageError extends Error {}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port > 65_535)
    throw new CliUsageError(`--port must be 0-65535, got "${text}"`);
  return port;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  // A lone leading `--` is what some script runners forward ahead of the real flags.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(args));
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    json: values.json ?? false,
    once: values.once ?? false,
    manifestPath: values.manifest ?? DEFAULT_MANIFEST_PATH,
    port: values.port === undefined ? 0 : parsePort(values.port),
    help: values.help ?? false,
    stripe: !values['no-stripe'],
    solana: !values['no-solana'],
    deferred: !values['no-deferred'],
    redeem: values.redeem ?? false,
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      json: { type: 'boolean' },
      once: { type: 'boolean' },
      manifest: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      'no-stripe': { type: 'boolean' },
      'no-solana': { type: 'boolean' },
      'no-deferred': { type: 'boolean' },
      redeem: { type: 'boolean' },
    },
  });
}
