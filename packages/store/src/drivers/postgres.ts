/**
 * The server driver: a `pg` connection pool. Loaded only when a store asks for it (dynamic
 * import). Every instance opening the same database shares its rows, keys and row locks, which
 * is what makes the ledger hold across instances.
 */
import type { Pool, PoolClient } from 'pg';
import type { SqlDatabase, SqlParam, SqlTransaction } from '../sql/client.js';

export interface PostgresConnection {
  url: string;
  poolSize: number;
  /** An idle pooled connection failed (server restart, network); the pool replaces it. */
  onIdleError: (error: Error) => void;
}

function transactionOf(client: PoolClient): SqlTransaction {
  return {
    async query<Row>(sql: string, params: readonly SqlParam[] = []) {
      const result = await client.query(sql, [...params]);
      return result.rows as Row[];
    },
    async exec(sql: string) {
      // Without parameters pg uses the simple protocol, which runs several statements at once.
      await client.query(sql);
    },
  };
}

export async function openPostgres(connection: PostgresConnection): Promise<SqlDatabase> {
  const pg = await import('pg');
  // pg is CommonJS: under ESM its exports sit on `default`.
  const PoolClass: typeof Pool = (pg.default ?? pg).Pool;
  const pool = new PoolClass({ connectionString: connection.url, max: connection.poolSize });
  // Without a listener, an idle client's error would be an uncaught exception.
  pool.on('error', connection.onIdleError);
  return {
    async query<Row>(sql: string, params: readonly SqlParam[] = []) {
      const result = await pool.query(sql, [...params]);
      return result.rows as Row[];
    },
    async transaction(work) {
      const client = await pool.connect();
      // A connection whose ROLLBACK failed is in an unknown state: destroy it, do not pool it.
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const value = await work(transactionOf(client));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
