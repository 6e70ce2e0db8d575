/**
 * Runs the real CLI in a child process (through tsx, on the workspace sources) and reads its
 * JSON log lines. Everything started here is tracked and stopped by `cleanUp`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export type LogLine = Record<string, unknown> & { msg?: string };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface FacilitatorProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly stderr: () => string;
  readonly exited: Promise<Exit>;
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export interface RunningFacilitator extends FacilitatorProcess {
  readonly url: string;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

const processes = new Set<ChildProcess>();
const dirs: string[] = [];

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'x402-facilitator-'));
  dirs.push(dir);
  return dir;
}

export async function writeConfig(dir: string, config: unknown, name = 'config.json') {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/** SIGKILLs whatever a test left running and removes its temp dirs. */
export async function cleanUp(): Promise<void> {
  await Promise.all(
    [...processes].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exit = once(child, 'exit');
        child.kill('SIGKILL');
        await exit;
      }
    }),
  );
  processes.clear();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export function spawnFacilitator(
  args: readonly string[],
  env: Record<string, string> = {},
): FacilitatorProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'src/cli.ts', ...args],
    { cwd: appDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  processes.add(child);
  const logs: LogLine[] = [];
  const waiters = new Set<(line: LogLine) => void>();
  let stderr = '';
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const text of lines) {
      if (!text.trim()) continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: `(not JSON) ${text}` };
      }
      logs.push(line);
      for (const waiter of waiters) waiter(line);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });

  function waitForLog(match: (line: LogLine) => boolean, timeoutMs = 20_000) {
    const seen = logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const done = (error?: Error, line?: LogLine) => {
        clearTimeout(timer);
        waiters.delete(onLine);
        if (line) resolve(line);
        else reject(error);
      };
      const onLine = (line: LogLine) => {
        if (match(line)) done(undefined, line);
      };
      const timer = setTimeout(
        () => done(new Error(`no matching log line in ${timeoutMs} ms; stderr: ${stderr}`)),
        timeoutMs,
      );
      waiters.add(onLine);
      void exited.then(({ code, signal }) =>
        done(new Error(`exited (${code ?? signal}) before the log line; stderr: ${stderr}`)),
      );
    });
  }

  return { child, logs, stderr: () => stderr, exited, waitForLog };
}

/** Starts the CLI with `--config` and resolves once it logged `listening`. */
export async function startFacilitator(
  configFile: string,
  env: Record<string, string> = {},
): Promise<RunningFacilitator> {
  const proc = spawnFacilitator(['--config', configFile], env);
  const listening = await proc.waitForLog((line) => line.msg === 'listening', 45_000);
  const url = String(listening['url']);
  return {
    ...proc,
    url,
    async stop(signal = 'SIGTERM') {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
      return proc.exited;
    },
  };
}

/** Runs the CLI to its exit (for flag and config errors). */
export async function runFacilitator(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Exit & { stdout: string; stderr: string }> {
  const proc = spawnFacilitator(args, env);
  const exit = await proc.exited;
  return {
    ...exit,
    stdout: proc.logs.map((line) => JSON.stringify(line)).join('\n'),
    stderr: proc.stderr(),
  };
}
