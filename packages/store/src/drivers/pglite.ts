/**
 * The embedded driver: PGlite, Postgres compiled to WASM, in this process. Loaded only when a
 * store asks for it (dynamic import), so memory and Postgres users never load the WASM build.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SqlDatabase, SqlParam, SqlTransaction } from '../sql/client.js';
import { createPreparedRunner, type PreparedRunner } from './pglite-prepared.js';

function transactionOf(db: PGlite, tx: Transaction, prepared: PreparedRunner): SqlTransaction {
  return {
    async query<Row>(sql: string, params: readonly SqlParam[] = []) {
      // The transaction lock is ours already; the query lock keeps other callers' statements out.
      if (!prepared.accepts(sql)) return (await tx.query<Row>(sql, [...params])).rows;
      return db._runExclusiveQuery(() => prepared.run<Row>(sql, params));
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
  const prepared = createPreparedRunner(db);
  return {
    // PGlite runs one statement at a time on its single connection; the statements themselves
    // carry the conditions, so this serialisation is for PGlite's sake, not the ledger's. The locks
    // are PGlite.query's own: no statement runs inside another caller's open transaction.
    async query<Row>(sql: string, params: readonly SqlParam[] = []) {
      // PGlite.query's own check, which the prepared path would otherwise skip.
      if (db.closed) throw new Error('PGlite is closed');
      if (!prepared.accepts(sql)) return (await db.query<Row>(sql, [...params])).rows;
      // Under the query lock no transaction can begin, so when none is open the statement runs at
      // once, without taking the transaction lock too; when one is (another caller's, between two
      // of its statements), it waits for the transaction to end, as PGlite.query does.
      const now = await db._runExclusiveQuery(async () =>
        db.isInTransaction() ? undefined : { rows: await prepared.run<Row>(sql, params) },
      );
      if (now) return now.rows;
      return db._runExclusiveTransaction(() =>
        db._runExclusiveQuery(() => prepared.run<Row>(sql, params)),
      );
    },
    transaction: (work) => db.transaction((tx) => work(transactionOf(db, tx, prepared))),
    close: () => db.close(),
  };
}
