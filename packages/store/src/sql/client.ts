/**
 * The one seam between the ledger logic and a database: PGlite and a `pg` pool both become an
 * `SqlDatabase`, so the payment ledger, the settlement journal and the migrations are written once.
 */

/** What a query parameter may be; objects go in as JSON text with a `::jsonb` cast. */
export type SqlParam = string | number | boolean | null;

export interface SqlQueryable {
  /** Runs one statement with `$1…` parameters and returns its rows. */
  query<Row>(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
}

export interface SqlTransaction extends SqlQueryable {
  /** Runs several `;`-separated statements without parameters (a migration's script). */
  exec(sql: string): Promise<void>;
}

export interface SqlDatabase extends SqlQueryable {
  /** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
