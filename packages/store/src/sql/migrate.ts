/**
 * Applies the pending migrations at open, in one transaction. Several instances opening one
 * Postgres at once queue on a transaction-scoped advisory lock, so exactly one of them migrates
 * and the others find the work done (a second `CREATE TABLE` would fail, not wait).
 */
import type { SqlDatabase } from './client.js';
import { MIGRATIONS, MIGRATIONS_TABLE, type Migration } from './migrations.js';

/** An arbitrary constant naming x402-rails' migration lock among the database's advisory locks. */
const MIGRATION_LOCK_KEY = '4021402140214021';

/** Returns the versions this call applied (empty when the schema was already current). */
export async function migrate(
  db: SqlDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY}::bigint)`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at bigint NOT NULL
    )`);
    const rows = await tx.query<{ version: number; name: string }>(
      `SELECT version, name FROM ${MIGRATIONS_TABLE}`,
    );
    const applied = new Map(rows.map((row) => [Number(row.version), row.name]));
    const ran: number[] = [];
    for (const migration of migrations) {
      const name = applied.get(migration.version);
      if (name !== undefined) {
        // A released migration edited in place would leave databases with different schemas.
        if (name !== migration.name) {
          throw new Error(
            `Migration ${migration.version} is recorded as "${name}" but this version of @x402-rails/store calls it "${migration.name}"`,
          );
        }
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query(
        `INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES ($1, $2, $3)`,
        [migration.version, migration.name, Date.now()],
      );
      ran.push(migration.version);
    }
    return ran;
  });
}
