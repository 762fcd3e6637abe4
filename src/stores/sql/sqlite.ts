/**
 * `latchkey/sqlite`: a session store in SQLite over `better-sqlite3` (version 12 on Node 20), with
 * a database handle that the app opens and owns. Node.js only.
 *
 * better-sqlite3 is synchronous, so each store call runs to completion before any other
 * JavaScript does; writes that check and change a row run in one `BEGIN IMMEDIATE` transaction,
 * which also keeps other processes using the same file out until it commits.
 *
 * @module latchkey/sqlite
 */
import { ConfigError } from "../../core/errors.js";
import { COLUMNS, type ColumnKind } from "./row-codec.js";
import type { QueryResult, SqlBackend, SqlErrorKind } from "./sql-backend.js";
import { errorCode, errorMessage } from "./sql-errors.js";
import { resolveSQLOptions, type SQLStartOptions, type SQLStoreOptions } from "./sql-options.js";
import { SQLStore } from "./sql-store.js";
import { prepareStore } from "./start.js";
import { render, sql, type SqlFragment } from "./statement.js";
import { indexName, parseTableName, qualifiedName, type TableName } from "./table-name.js";

/** A prepared statement of better-sqlite3, typed structurally. */
export interface SQLiteStatement {
  /** Whether the statement returns rows, which decides between `all` and `run`. */
  readonly reader: boolean;
  /** Runs a statement that returns rows and gives them all. */
  all(...parameters: unknown[]): unknown[];
  /** Runs a statement that writes, giving the number of rows it changed. */
  run(...parameters: unknown[]): { changes: number };
}

/** The part of a better-sqlite3 `Database` the store uses. */
export interface SQLiteDatabase {
  /** Prepares each distinct statement once; the store caches the result. */
  prepare(source: string): SQLiteStatement;
  /** Runs the schema DDL (several statements) in `migrate()`. */
  exec(source: string): unknown;
  /** Wraps the migration and each check-and-write in one transaction. */
  transaction(fn: () => unknown): {
    /** Runs the transaction as `BEGIN IMMEDIATE`, taking the write lock before the first read. */
    immediate(): unknown;
  };
}

/** Options of {@link SQLiteStore}. */
export interface SQLiteStoreOptions extends SQLStoreOptions {
  /**
   * The app's better-sqlite3 `Database` (a file, or `":memory:"`). The store never closes it.
   * Open it with `{ timeout: 2000 }` to bound how long a call waits for another process's
   * write lock: a call runs synchronously, so `queryTimeoutMs` cannot interrupt it, and a lock
   * wait that runs out is a `StoreError` (`store-timeout`). WAL mode
   * (`db.pragma("journal_mode = WAL")`) lets readers proceed during writes.
   */
  database: SQLiteDatabase;
}

const SQL_TYPES: Record<ColumnKind, string> = {
  id: "TEXT",
  text: "TEXT",
  user: "TEXT",
  json: "TEXT",
  time: "INTEGER",
  integer: "INTEGER",
  boolean: "INTEGER",
};

/**
 * The SQLite DDL for the sessions table (a `STRICT` table, so a column holds only its type) and
 * its indexes, for teams that run their own migrations. Times are `INTEGER` milliseconds since
 * the Unix epoch; data and client facts are JSON text.
 * @throws ConfigError for a table name that is not an identifier or `schema.table`.
 */
export function sqliteSchema(tableName?: string): string {
  return schemaText(parseTableName(tableName, "tableName"));
}

function schemaText(name: TableName): string {
  const columns = COLUMNS.map((column) => {
    const nullable = column.nullable ? "" : " NOT NULL";
    const key = column.name === "id" ? " PRIMARY KEY" : "";
    return `  ${column.name} ${SQL_TYPES[column.kind]}${nullable}${key}`;
  });
  const table = qualifiedName(name, quote);
  // SQLite qualifies an index's name with the schema and names its table bare.
  const index = (suffix: "user_idx" | "expires_idx"): string =>
    name.schema === null
      ? quote(indexName(name, suffix))
      : `${quote(name.schema)}.${quote(indexName(name, suffix))}`;

  return [
    `CREATE TABLE IF NOT EXISTS ${table} (\n${columns.join(",\n")}\n) STRICT;`,
    `CREATE INDEX IF NOT EXISTS ${index("user_idx")} ON ${quote(name.table)} (user_id);`,
    `CREATE INDEX IF NOT EXISTS ${index("expires_idx")} ON ${quote(name.table)} (expires_at);`,
  ].join("\n");
}

function quote(identifier: string): string {
  return `"${identifier}"`;
}

function classify(error: unknown): SqlErrorKind {
  const code = errorCode(error) ?? "";
  const message = errorMessage(error);

  if (/no such table|no such column|has no column named|unknown database/i.test(message)) {
    return "schema";
  }
  if (code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE") {
    return "duplicate";
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "timeout";
  if (/connection is not open/i.test(message) || /^SQLITE_(CANTOPEN|IOERR|NOTADB)/.test(code)) {
    return "unavailable";
  }
  return "reply";
}

function sqliteBackend(database: SQLiteDatabase): SqlBackend {
  const cache = new Map<string, SQLiteStatement>();

  const run = (statement: SqlFragment): QueryResult => {
    const { text, values } = render(statement, () => "?");
    let prepared = cache.get(text);
    if (prepared === undefined) {
      prepared = database.prepare(text);
      cache.set(text, prepared);
    }
    // better-sqlite3 binds no booleans; SQLite keeps them as the integers 0 and 1.
    const bound = values.map((value) => (typeof value === "boolean" ? Number(value) : value));
    if (prepared.reader)
      return { rows: prepared.all(...bound) as Record<string, unknown>[], affected: 0 };
    return { rows: [], affected: prepared.run(...bound).changes };
  };

  return {
    label: "SQLite",
    schemaFunction: "sqliteSchema",
    quote,
    least: "MIN",
    deleteExpired: (table, now, limit) =>
      sql`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table}
        WHERE expires_at <= ${now} LIMIT ${limit})`,
    classify,
    query: async (statement) => run(statement),
    async runSchema(name) {
      database.transaction(() => database.exec(schemaText(name))).immediate();
    },
    writes: {
      kind: "locking-read",
      lockClause: "",
      async transact(read, decide) {
        const transaction = database.transaction(() => {
          const plan = decide(run(read).rows);
          for (const write of plan.writes) run(write);
          return plan.result;
        });
        return transaction.immediate() as ReturnType<typeof decide>["result"];
      },
    },
    watchErrors: () => () => undefined,
  };
}

/**
 * A {@link SQLStore} in SQLite. Build it with `new SQLiteStore({ database })` (no I/O) or
 * {@link createSQLiteStore} (checks the table first). Run {@link SQLStore.migrate} once, or apply
 * {@link sqliteSchema} with your own migrations.
 *
 * Limitation: calls run synchronously on the event loop, so `queryTimeoutMs` does not bound
 * them; the database's busy timeout does (see {@link SQLiteStoreOptions.database}).
 */
export class SQLiteStore extends SQLStore {
  /** @throws ConfigError for a bad option, naming it (`store.tableName`…). */
  constructor(options: SQLiteStoreOptions) {
    const config = resolveSQLOptions(options);
    if (typeof options.database?.prepare !== "function") {
      throw new ConfigError("store.database", "must be a better-sqlite3 Database");
    }
    super(sqliteBackend(options.database), config);
  }
}

/**
 * Builds a {@link SQLiteStore}, runs `migrate()` when asked, then `check()` unless told not to,
 * so that a missing or wrong table stops the app at start-up.
 * @throws ConfigError for a bad option; StoreError when the table check or migration fails.
 */
export async function createSQLiteStore(
  options: SQLiteStoreOptions & SQLStartOptions,
): Promise<SQLiteStore> {
  return prepareStore(new SQLiteStore(options), options);
}

// The shared store API, so that this subpath is all an app imports for its database.
export { SQLStore, type DeleteExpiredOptions } from "./sql-store.js";
export type { SQLStartOptions, SQLStoreOptions } from "./sql-options.js";
export { DEFAULT_TABLE_NAME } from "./table-name.js";
