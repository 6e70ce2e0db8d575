/**
 * The embedded driver: PGlite, Postgres compiled to WASM, in this process. Loaded only when a
 * store asks for it (dynamic import), so memory and Postgres users never load the WASM build.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SqlDatabase, SqlParam, SqlTransaction } from '../sql/client.js';

function transactionOf(tx: Transaction): SqlTransaction {
  return {
    async query<Row>(sql: string, params: readonly SqlParam[] = []) {
      return (await tx.query<Row>(sql, [...params])).rows;
    },
    async exec(sql: string) {
      await tx.exec(sql);
    },
  };
}

/** Opens PGlite in memory, or persisted in `dataDir` (created if missing). */
export async function openPglite(dataDir: string | undefined): Promise<SqlDatabase> {
  const { PGlite: PGliteClass } = await import('@electric-sql/pglite');
  let db: PGlite;
  if (dataDir === undefined) {
    db = await PGliteClass.create();
  } else {
    const dir = resolve(dataDir);
    await mkdir(dir, { recursive: true });
    db = await PGliteClass.create(dir);
  }
  return {
    // PGlite runs one statement at a time on its single connection; the statements themselves
    // carry the conditions, so this serialisation is for PGlite's sake, not the ledger's.
    async query<Row>(sql: string, params: readonly SqlParam[] = []) {
      return (await db.query<Row>(sql, [...params])).rows;
    },
    transaction: (work) => db.transaction((tx) => work(transactionOf(tx))),
    close: () => db.close(),
  };
}
