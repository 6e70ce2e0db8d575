/**
 * Prepared statements for PGlite. `PGlite.query` makes six calls into the WASM backend per
 * statement (parse, describe, bind, describe, execute, sync), plans it afresh each time and parses
 * every reply message in JS; the ledger's statements are a fixed set, so each is parsed once under
 * a name, its row shape (column names and types) is learnt from its first run, and from then on it
 * runs as one Bind + Execute + Sync message — one call, a cached plan — whose reply bytes are
 * streamed back unparsed and its data rows read straight from them. Values go through PGlite's own type parsers, so the rows are
 * exactly what `PGlite.query` returns; a reply carrying an error is handed to PGlite's protocol
 * parser, so the error thrown is PGlite's too.
 */
import { Buffer } from 'node:buffer';
import { type PGlite, parse, protocol, types } from '@electric-sql/pglite';
import type { SqlParam } from '../sql/client.js';

/** Distinct statement texts prepared per instance; beyond it, new texts run unprepared. */
const MAX_PREPARED = 256;

/** SQLSTATE of "prepared statement does not exist" (26000): re-prepared once if it ever happens. */
const INVALID_STATEMENT_NAME = '26000';

/**
 * The prepared path never asks PGlite to `syncToFs` after a statement (PGlite.query does, out
 * of a transaction): the store opens PGlite on Node only with its memory filesystem or, for a
 * `dataDir`, its Node filesystem, which writes every write through to the file; on both,
 * `syncToFs` does nothing but take a mutex and allocate promises. A browser filesystem (IndexedDB,
 * OPFS), which does buffer, is never opened by this driver.
 */
const SYNC_TO_FS = false;

const { serialize } = protocol;

interface Column {
  name: string;
  typeId: number;
}

interface Prepared {
  name: string;
  /** Learnt on the first run (undefined until then); empty for a statement returning no rows. */
  columns: Column[] | undefined;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const message = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    message.set(part, offset);
    offset += part.length;
  }
  return message;
}

/** The tail of every run after the first: the same bytes each time (a copy of our own). */
const EXECUTE_AND_SYNC = concat([serialize.execute({}), serialize.sync()]);

/** A parameter as the text the backend parses by its inferred type (what `pg` sends, too). */
const text = (value: SqlParam): string | null => (value === null ? null : String(value));

const int32 = (bytes: Uint8Array, at: number) =>
  ((bytes[at] as number) << 24) |
  ((bytes[at + 1] as number) << 16) |
  ((bytes[at + 2] as number) << 8) |
  (bytes[at + 3] as number);

const DATA_ROW = 0x44; // 'D'
const ERROR_RESPONSE = 0x45; // 'E'

/**
 * The data rows of a reply, or undefined when it carries an error (or anything not understood):
 * the caller then lets PGlite's own parser read it.
 */
function readRows<Row>(
  reply: Buffer,
  columns: readonly Column[],
  parsers: PGlite['parsers'],
): Row[] | undefined {
  const rows: Row[] = [];
  let at = 0;
  while (at + 5 <= reply.length) {
    const type = reply[at] as number;
    const length = int32(reply, at + 1);
    const end = at + 1 + length;
    if (length < 4 || end > reply.length || type === ERROR_RESPONSE) return undefined;
    if (type === DATA_ROW) {
      const count = ((reply[at + 5] as number) << 8) | (reply[at + 6] as number);
      if (count !== columns.length) return undefined;
      const row: Record<string, unknown> = {};
      let field = at + 7;
      for (const column of columns) {
        const size = int32(reply, field);
        field += 4;
        if (size === -1) {
          row[column.name] = null;
          continue;
        }
        // Decoded in place: no view object per field.
        const value = reply.toString('utf8', field, field + size);
        field += size;
        row[column.name] = types.parseType(value, column.typeId, parsers);
      }
      rows.push(row as Row);
    }
    at = end;
  }
  return at === reply.length ? rows : undefined;
}

export interface PreparedRunner {
  /** False once `MAX_PREPARED` texts are prepared and `sql` is not one of them. */
  accepts(sql: string): boolean;
  /**
   * Runs `sql` (accepted) with `params`. The caller holds PGlite's query lock, and its transaction
   * lock or its open transaction.
   */
  run<Row>(sql: string, params: readonly SqlParam[]): Promise<Row[]>;
}

export function createPreparedRunner(db: PGlite): PreparedRunner {
  const statements = new Map<string, Prepared>();
  let counter = 0;

  async function prepare(sql: string): Promise<Prepared> {
    const known = statements.get(sql);
    if (known !== undefined) return known;
    counter += 1;
    const prepared: Prepared = { name: `x402_p${counter}`, columns: undefined };
    // Sync ends the exchange even when Parse fails (a syntax error is thrown, nothing is kept).
    await db.execProtocol(
      concat([serialize.parse({ name: prepared.name, text: sql }), serialize.sync()]),
      { syncToFs: SYNC_TO_FS },
    );
    statements.set(sql, prepared);
    return prepared;
  }

  /** The first run also describes the result, to learn the columns. */
  async function firstRun<Row>(prepared: Prepared, bind: Uint8Array) {
    const message = concat([
      bind,
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ]);
    const { messages } = await db.execProtocol(message, { syncToFs: SYNC_TO_FS });
    const description = messages.find((m) => m.name === 'rowDescription') as
      | { fields: { name: string; dataTypeID: number }[] }
      | undefined;
    prepared.columns = (description?.fields ?? []).map((f) => ({
      name: f.name,
      typeId: f.dataTypeID,
    }));
    const [result] = parse.parseResults(messages, db.parsers);
    return (result?.rows ?? []) as Row[];
  }

  async function execute<Row>(prepared: Prepared, params: readonly SqlParam[]): Promise<Row[]> {
    const bind = serialize.bind({ statement: prepared.name, values: params.map(text) });
    const columns = prepared.columns;
    if (columns === undefined) return firstRun<Row>(prepared, bind);
    const message = concat([bind, EXECUTE_AND_SYNC]);
    // The streaming call hands the reply bytes over without PGlite parsing them into messages
    // first.
    const chunks: Uint8Array[] = [];
    await db.execProtocolRawStream(message, {
      syncToFs: SYNC_TO_FS,
      // A view of PGlite's receive buffer, reused by the next call: copied.
      onRawData: (chunk) => chunks.push(chunk.slice()),
    });
    const reply = chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks);
    const rows = readRows<Row>(
      Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength),
      columns,
      db.parsers,
    );
    if (rows !== undefined) return rows;
    // An error (or a reply this reader does not know): PGlite's parser reads it and throws.
    let failure: unknown;
    new protocol.Parser().parse(reply, (message) => {
      if (message instanceof Error && failure === undefined) failure = message;
    });
    if (failure !== undefined) throw failure;
    throw new Error(`PGlite returned a reply the prepared-statement reader does not understand`);
  }

  return {
    accepts: (sql) => statements.has(sql) || statements.size < MAX_PREPARED,
    async run<Row>(sql: string, params: readonly SqlParam[]) {
      const prepared = statements.get(sql) ?? (await prepare(sql));
      try {
        return await execute<Row>(prepared, params);
      } catch (error) {
        if ((error as { code?: unknown }).code !== INVALID_STATEMENT_NAME) throw error;
        statements.delete(sql);
        return execute<Row>(await prepare(sql), params);
      }
    },
  };
}
