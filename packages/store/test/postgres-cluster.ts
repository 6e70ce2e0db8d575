/**
 * A throwaway Postgres for the tests and the bench. As a vitest `globalSetup` it hands the tests
 * a database URL through `provide('databaseUrl')`:
 *   - `DATABASE_URL` set: that database;
 *   - else, `initdb` found (under /usr/lib/postgresql/<version>/bin or on PATH): a fresh cluster in
 *     a temp directory, on 127.0.0.1 and a free port, stopped and deleted at teardown;
 *   - else `null` (the Postgres tests skip, visibly), except under `CI=true`, where a run that
 *     cannot test Postgres fails here with the reason.
 * Postgres refuses to run as root, so as root the cluster runs as the `postgres` OS user.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A Postgres database the tests may use, or null when none is available outside CI. */
    databaseUrl: string | null;
  }
}

const run = promisify(execFile);

export interface PostgresCluster {
  /** URL of the database created in the cluster. */
  url: string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Skip fsync and synchronous commit: a test cluster need not survive a power cut. Default true. */
  fast?: boolean;
  /** Name of the database to create. Default `x402_test`. */
  database?: string;
}

/** The directory holding `initdb` and `pg_ctl`, newest Postgres first; undefined if none. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  return (process.env['PATH'] ?? '')
    .split(delimiter)
    .find((dir) => dir !== '' && existsSync(join(dir, 'initdb')));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Starts a new cluster and creates one database in it. */
export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('initdb not found (install Debian postgresql, or set DATABASE_URL)');
  const asRoot = process.getuid?.() === 0;
  const pgUser = asRoot ? 'postgres' : userInfo().username;
  // As root, run the server binaries as `postgres`, which must own the directory.
  const exec = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
      : run(join(bin, tool), args);

  const dir = await mkdtemp(join(tmpdir(), 'x402-store-pg-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const fast = options.fast ?? true;
  try {
    await exec('initdb', [
      '-D',
      data,
      '-U',
      pgUser,
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-locale',
      '-N',
    ]);
    const port = await freePort();
    // TCP on loopback only, and the unix socket in our own directory: nothing in /var/run.
    const serverOptions = [
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      `-k "${dir}"`,
      '-c max_connections=300',
      ...(fast ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
    ].join(' ');
    await exec('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', serverOptions, 'start']);
    const database = options.database ?? 'x402_test';
    const base = `postgres://${encodeURIComponent(pgUser)}@127.0.0.1:${port}`;
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${database}`);
    } finally {
      await admin.end();
    }
    return {
      url: `${base}/${database}`,
      async stop() {
        await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => {});
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    const logText = await readFile(log, 'utf8').catch(() => '');
    await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw new Error(`Could not start a test Postgres cluster: ${String(error)}\n${logText}`, {
      cause: error,
    });
  }
}

/** vitest globalSetup: provides `databaseUrl`, and returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env['DATABASE_URL'];
  if (given) {
    project.provide('databaseUrl', given);
    return async () => {};
  }
  if (!findPostgresBin()) {
    if (process.env['CI'] === 'true') {
      throw new Error(
        '@x402-rails/store: CI=true but no Postgres to test against: set DATABASE_URL, or install ' +
          'the Debian package postgresql (initdb under /usr/lib/postgresql/<version>/bin); ' +
          '.ci/run installs it when initdb is missing.',
      );
    }
    project.provide('databaseUrl', null);
    return async () => {};
  }
  const cluster = await startPostgresCluster();
  project.provide('databaseUrl', cluster.url);
  return () => cluster.stop();
}
