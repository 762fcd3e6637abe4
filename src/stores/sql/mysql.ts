/**
 * `latchkey/mysql`: a session store in MariaDB or MySQL 8 over `mysql2/promise`, with a pool
 * that the app creates and owns. Node.js only (it needs a TCP driver).
 *
 * Statements go through `execute()` (server-side prepared statements), so every value is a
 * bound parameter. Writes that must check and change a row together run in a short transaction
 * on one pooled connection, reading the row with `SELECT … FOR UPDATE`.
 *
 * @module latchkey/mysql
 */
import { ConfigError } from "../../core/errors.js";
import { COLUMNS, type ColumnKind } from "./row-codec.js";
import type { QueryResult, SqlBackend, SqlErrorKind, WritePlan } from "./sql-backend.js";
import { errorCode, isNetworkError } from "./sql-errors.js";
import { resolveSQLOptions, type SQLStartOptions, type SQLStoreOptions } from "./sql-options.js";
import { SQLStore } from "./sql-store.js";
import { prepareStore } from "./start.js";
import { render, sql, type SqlFragment } from "./statement.js";
import { indexName, parseTableName, qualifiedName, type TableName } from "./table-name.js";

/** What the store sends a statement with: mysql2's `{ sql, timeout }` options. */
export interface MySQLQueryOptions {
  sql: string;
  timeout?: number;
}

/** A value the store binds to a placeholder. */
export type MySQLValue = string | number | boolean | null;

/** The statement methods of a mysql2 promise pool or pooled connection, typed structurally. */
export interface MySQLExecutor {
  /** Runs every data statement as a prepared statement with bound values. */
  execute(options: MySQLQueryOptions, values: MySQLValue[]): Promise<[unknown, unknown]>;
  /** Runs statements without values: the schema DDL and transaction control. */
  query(options: MySQLQueryOptions): Promise<[unknown, unknown]>;
}

/** A connection taken from the pool for one transaction. */
export interface MySQLPoolConnection extends MySQLExecutor {
  /** Returns the connection to the pool after a transaction that committed or rolled back. */
  release(): void;
  /** Closes a connection left mid-transaction, so that the server rolls the transaction back. */
  destroy(): void;
}

/** The part of a `mysql2/promise` pool the store uses. */
export interface MySQLPool extends MySQLExecutor {
  /** Takes one connection for a write that locks a row, changes it and commits. */
  getConnection(): Promise<MySQLPoolConnection>;
}

/** Options of {@link MySQLStore}. */
export interface MySQLStoreOptions extends SQLStoreOptions {
  /**
   * The app's `mysql2/promise` pool (`createPool`). The store never ends it. It must keep
   * mysql2's default `FOUND_ROWS` flag, so that an update reports matched rather than changed
   * rows. mysql2 removes a broken pooled connection by itself, so a server outage cannot crash
   * the process through an `error` event, and the pool reconnects once the server is back.
   */
  pool: MySQLPool;
}

const ASCII = "CHARACTER SET ascii COLLATE ascii_bin";

// Case-sensitive, exact comparisons everywhere: the default collations fold case and ignore
// trailing spaces, which would let `user-1 ` share the sessions of `user-1`.
const SQL_TYPES: Record<ColumnKind, string> = {
  id: `VARCHAR(64) ${ASCII}`,
  text: `VARCHAR(16) ${ASCII}`,
  user: "VARBINARY(255)",
  json: "LONGTEXT",
  time: "BIGINT",
  integer: "BIGINT",
  boolean: "BOOLEAN",
};

const DEADLINE_CODE = "LATCHKEY_DEADLINE";

/**
 * The MySQL/MariaDB DDL for the sessions table, one `CREATE TABLE` with its indexes, for teams
 * that run their own migrations. Times are `BIGINT` milliseconds since the Unix epoch; data and
 * client facts are JSON text; user ids at most 255 bytes. A `db.table` name names the database.
 * @throws ConfigError for a table name that is not an identifier or `db.table`.
 */
export function mysqlSchema(tableName?: string): string {
  return schemaText(parseTableName(tableName, "tableName"));
}

function schemaText(name: TableName): string {
  const columns = COLUMNS.map((column) => {
    const nullable = column.nullable ? "NULL" : "NOT NULL";
    return `  ${column.name} ${SQL_TYPES[column.kind]} ${nullable}`;
  });
  const keys = [
    "  PRIMARY KEY (id)",
    `  KEY ${quote(indexName(name, "user_idx"))} (user_id)`,
    `  KEY ${quote(indexName(name, "expires_idx"))} (expires_at)`,
  ];
  const table = qualifiedName(name, quote);

  return (
    `CREATE TABLE IF NOT EXISTS ${table} (\n${[...columns, ...keys].join(",\n")}\n)` +
    " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;"
  );
}

function quote(identifier: string): string {
  return `\`${identifier}\``;
}

// Contention, not a fault: a lock wait that ran out, or a deadlock that InnoDB broke by
// rolling one transaction back (after the retries below, too).
const CONTENTION_CODES = ["PROTOCOL_SEQUENCE_TIMEOUT", "ER_LOCK_WAIT_TIMEOUT", "ER_LOCK_DEADLOCK"];

// How often a statement or transaction chosen as a deadlock victim is run again. InnoDB has
// rolled it back entirely, so running it again is safe; rotation racing revokeAllForUser, which
// lock the same rows in another order, is the case seen in practice.
const DEADLOCK_RETRIES = 2;

function classify(error: unknown): SqlErrorKind {
  const code = errorCode(error) ?? "";

  if (["ER_NO_SUCH_TABLE", "ER_BAD_FIELD_ERROR", "ER_BAD_DB_ERROR"].includes(code)) return "schema";
  if (code === "ER_DUP_ENTRY") return "duplicate";
  if (CONTENTION_CODES.includes(code) || code === DEADLINE_CODE) return "timeout";
  const fatal =
    typeof error === "object" && error !== null && "fatal" in error && error.fatal === true;
  if (
    fatal ||
    isNetworkError(error) ||
    code.startsWith("PROTOCOL_") ||
    code === "ER_CON_COUNT_ERROR" ||
    isClosedPool(error)
  ) {
    return "unavailable";
  }
  return "reply";
}

// mysql2 reports a pool the app has ended with a bare Error and no code.
function isClosedPool(error: unknown): boolean {
  return error instanceof Error && errorCode(error) === null && error.message === "Pool is closed.";
}

async function retryingDeadlocks<T>(task: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (errorCode(error) !== "ER_LOCK_DEADLOCK" || attempt >= DEADLOCK_RETRIES) throw error;
    }
  }
}

async function run(
  executor: MySQLExecutor,
  statement: SqlFragment,
  timeoutMs: number,
): Promise<QueryResult> {
  const { text, values } = render(statement, () => "?");
  // The store binds only strings, numbers, booleans and nulls (JSON travels as text).
  const [result] = await executor.execute(
    { sql: text, timeout: timeoutMs },
    values as MySQLValue[],
  );

  if (Array.isArray(result)) return { rows: result as Record<string, unknown>[], affected: 0 };
  const affected = (result as { affectedRows?: unknown }).affectedRows;
  return { rows: [], affected: typeof affected === "number" ? affected : 0 };
}

async function transact<T>(
  pool: MySQLPool,
  read: SqlFragment,
  decide: (rows: Record<string, unknown>[]) => WritePlan<T>,
  deadline: number,
): Promise<T> {
  // Each step gets what is left of the call's budget; a late step is not started at all.
  const remaining = (): number => {
    const left = deadline - Date.now();
    if (left > 0) return left;
    throw Object.assign(new Error("the transaction ran out of time"), { code: DEADLINE_CODE });
  };
  const connection = await pool.getConnection();
  let reusable = false;

  try {
    await connection.query({ sql: "START TRANSACTION", timeout: remaining() });
    const { rows } = await run(connection, read, remaining());
    let plan: WritePlan<T>;
    try {
      plan = decide(rows);
    } catch (error) {
      await connection.query({ sql: "ROLLBACK", timeout: remaining() });
      reusable = true;
      throw error;
    }

    for (const write of plan.writes) await run(connection, write, remaining());
    await connection.query({ sql: "COMMIT", timeout: remaining() });
    reusable = true;
    return plan.result;
  } finally {
    // A connection left mid-transaction is dropped, which makes the server roll it back.
    if (reusable) connection.release();
    else connection.destroy();
  }
}

function mysqlBackend(pool: MySQLPool): SqlBackend {
  return {
    label: "MySQL/MariaDB",
    schemaFunction: "mysqlSchema",
    quote,
    least: "LEAST",
    deleteExpired: (table, now, limit) =>
      // The count goes as text: mysql2 binds numbers as DOUBLE, which MySQL 8 refuses in LIMIT.
      sql`DELETE FROM ${table} WHERE expires_at <= ${now}
        ORDER BY expires_at LIMIT ${String(limit)}`,
    classify,
    query: (statement, timeoutMs) => retryingDeadlocks(() => run(pool, statement, timeoutMs)),
    async runSchema(name, timeoutMs) {
      // One statement with its indexes inline, which the server applies atomically; several
      // instances running it at once is safe.
      await pool.query({ sql: schemaText(name), timeout: timeoutMs });
    },
    writes: {
      kind: "locking-read",
      lockClause: " FOR UPDATE",
      transact: (read, decide, deadline) =>
        retryingDeadlocks(() => transact(pool, read, decide, deadline)),
    },
    // mysql2 handles an idle pooled connection's error itself (it drops the connection).
    watchErrors: () => () => undefined,
  };
}

/**
 * A {@link SQLStore} in MariaDB or MySQL 8. Build it with `new MySQLStore({ pool })` (no I/O) or
 * {@link createMySQLStore} (checks the table first). Run {@link SQLStore.migrate} once, or apply
 * {@link mysqlSchema} with your own migrations.
 *
 * Limitation: user ids are kept in a `VARBINARY(255)` column; a longer one is refused with a
 * `StoreError` (`store-reply`) before it reaches the server (the other SQL stores do the same).
 */
export class MySQLStore extends SQLStore {
  /** @throws ConfigError for a bad option, naming it (`store.tableName`…). */
  constructor(options: MySQLStoreOptions) {
    const config = resolveSQLOptions(options);
    if (
      typeof options.pool?.execute !== "function" ||
      typeof options.pool.getConnection !== "function"
    ) {
      throw new ConfigError("store.pool", "must be a mysql2/promise pool");
    }
    super(mysqlBackend(options.pool), config);
  }
}

/**
 * Builds a {@link MySQLStore}, runs `migrate()` when asked, then `check()` unless told not to,
 * so that a missing or wrong table stops the app at start-up.
 * @throws ConfigError for a bad option; StoreError when the table check or migration fails.
 */
export async function createMySQLStore(
  options: MySQLStoreOptions & SQLStartOptions,
): Promise<MySQLStore> {
  return prepareStore(new MySQLStore(options), options);
}

// The shared store API, so that this subpath is all an app imports for its database.
export { SQLStore, type DeleteExpiredOptions } from "./sql-store.js";
export type { SQLStartOptions, SQLStoreOptions } from "./sql-options.js";
export { DEFAULT_TABLE_NAME } from "./table-name.js";
