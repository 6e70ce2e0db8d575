/**
 * The PGlite driver runs parameterised statements as named prepared statements in one protocol
 * message (src/drivers/pglite-prepared.ts). What must not change: the rows (types as PGlite.query
 * gives them), errors, recovery after an error, and that no statement slips into another caller's
 * open transaction.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../src/drivers/pglite.js';
import type { SqlDatabase } from '../src/sql/client.js';

let db: SqlDatabase;
let reference: PGlite;

const SCHEMA = `CREATE TABLE t (
  id text PRIMARY KEY, n integer, big bigint, amount numeric(78, 0), doc jsonb, flag boolean,
  note text CHECK (note IS NULL OR note <> 'forbidden'))`;
const ROW = `SELECT id, n, big, amount::text AS amount, doc, flag, note FROM t WHERE id = $1`;

beforeAll(async () => {
  db = await openPglite(undefined);
  reference = await PGlite.create();
  for (const target of [db, reference]) {
    await (target instanceof PGlite ? target.exec(SCHEMA) : target.query(SCHEMA));
  }
});

afterAll(async () => {
  await db.close();
  await reference.close();
});

describe('PGlite prepared statements', () => {
  it('return the rows PGlite.query returns, types included', async () => {
    const insert = `INSERT INTO t (id, n, big, amount, doc, flag, note)
      VALUES ($1, $2, $3, $4::numeric, $5::jsonb, $6, $7)`;
    const params = [
      'a',
      7,
      9_007_199_254_740_991,
      (1n << 127n).toString(),
      '{"k":[1,"x"]}',
      true,
      null,
    ];
    await db.query(insert, params);
    await reference.query(insert, params);
    for (let i = 0; i < 3; i++) {
      // The first run prepares and describes, the next ones reuse the statement and its shape.
      expect(await db.query(ROW, ['a'])).toEqual((await reference.query(ROW, ['a'])).rows);
    }
    // Several rows, a NULL among them, and a statement that returns none.
    await db.query(insert, ['b', null, null, '0', 'null', false, 'x']);
    await reference.query(insert, ['b', null, null, '0', 'null', false, 'x']);
    const all =
      'SELECT id, n, big, amount::text AS amount, doc, flag, note FROM t WHERE id > $1 ORDER BY id';
    for (let i = 0; i < 2; i++) {
      expect(await db.query(all, [''])).toEqual((await reference.query(all, [''])).rows);
    }
    const touch = 'UPDATE t SET n = n WHERE id = $1';
    expect(await db.query(touch, ['a'])).toEqual([]);
    expect(await db.query(touch, ['a'])).toEqual([]);
    expect(await db.query(ROW, ['missing'])).toEqual([]);
  });

  it('reject a failing statement and keep working after it', async () => {
    const update = 'UPDATE t SET note = $2 WHERE id = $1 RETURNING note';
    // Failing on its first run (while its row shape is learnt) and on a later one (read raw).
    await expect(db.query(update, ['a', 'forbidden'])).rejects.toThrow(/check constraint/);
    expect(await db.query(update, ['a', 'fine'])).toEqual([{ note: 'fine' }]);
    const failed = await db.query(update, ['a', 'forbidden']).catch((error: unknown) => error);
    expect(failed).toMatchObject({
      code: '23514',
      message: expect.stringMatching(/check constraint/),
    });
    expect(await db.query(update, ['a', 'fine again'])).toEqual([{ note: 'fine again' }]);
    expect(await db.query(ROW, ['a'])).toMatchObject([{ id: 'a', note: 'fine again' }]);
    await expect(db.query('SELEC nonsense $1', ['x'])).rejects.toThrow(/syntax/);
    expect(await db.query('SELECT $1::text AS v', ['after'])).toEqual([{ v: 'after' }]);
  });

  it('prepare again when the backend dropped its statements', async () => {
    expect(await db.query('SELECT $1::integer + 1 AS v', [1])).toEqual([{ v: 2 }]);
    await db.transaction(async (tx) => tx.exec('DEALLOCATE ALL'));
    expect(await db.query('SELECT $1::integer + 1 AS v', [2])).toEqual([{ v: 3 }]);
  });

  it('never run inside another caller’s open transaction', async () => {
    const count = `SELECT count(*)::integer AS n FROM t WHERE id LIKE $1`;
    let outside: Promise<{ n: number }[]> | undefined;
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO t (id) VALUES ($1)`, ['rolled-back']);
        // Issued while the transaction is open: it must wait for it, not join it.
        outside = db.query<{ n: number }>(count, ['rolled-back']);
        throw new Error('abort the transaction');
      }),
    ).rejects.toThrow('abort the transaction');
    expect(await outside).toEqual([{ n: 0 }]);

    let afterCommit: Promise<{ n: number }[]> | undefined;
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO t (id) VALUES ($1)`, ['committed']);
      afterCommit = db.query<{ n: number }>(count, ['committed']);
      expect(await tx.query<{ n: number }>(count, ['committed'])).toEqual([{ n: 1 }]);
    });
    expect(await afterCommit).toEqual([{ n: 1 }]);
  });
});
