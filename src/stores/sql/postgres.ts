/**
 * `latchkey/postgres`: a session store in PostgreSQL over node-postgres (`pg`), a `Pool` or a
 * `Client` that the app creates and owns. Node.js only (it needs a TCP driver).
 *
 * Every operation is one statement, so a single `Client` is as safe as a `Pool`; a `Pool`
 * additionally replaces broken connections, so the store works again once the server is back.
 *
 * @module latchkey/postgres
 */
import { ConfigError } from "../../core/errors.js";
import type { ColumnKind } from "./row-codec.js";
import { COLUMNS } from "./row-codec.js";
import type { NewData, SqlBackend, SqlErrorKind, SupersedeInput } from "./sql-backend.js";
import { errorCode, errorMessage, isNetworkError } from "./sql-errors.js";
import { resolveSQLOptions, type SQLStartOptions, type SQLStoreOptions } from "./sql-options.js";
import { SQLStore } from "./sql-store.js";
import { prepareStore } from "./start.js";
import { join, raw, render, sql, type SqlFragment } from "./statement.js";
import { indexName, parseTableName, qualifiedName, type TableName } from "./table-name.js";

/**
 * The part of a node-postgres `Pool` or `Client` the store uses, typed structurally so that
 * `pg` stays an optional peer dependency.
 */
export interface PgQueryable {
  /** Runs every statement, with bound parameters and the store's `queryTimeoutMs`. */
  query(config: { text: string; values?: unknown[]; query_timeout?: number }): Promise<{
    rows: unknown[];
    rowCount: number | null;
  }>;
  /** Subscribes the store to the pool's idle-connection errors, reported as `store.error`. */
  on?(event: "error", listener: (error: Error) => void): unknown;
  /** Unsubscribes that listener on `close()`. */
  removeListener?(event: "error", listener: (error: Error) => void): unknown;
}

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions extends SQLStoreOptions {
  /**
   * The app's `pg.Pool` (recommended) or `pg.Client`. The store never ends it. It listens to
   * its `error` event (reported as `store.error`, so an idle connection dropped by the server
   * cannot crash the process) until `close()`. Setting the pool's `statement_timeout` to at
   * most `queryTimeoutMs` also makes the server abandon a statement the store gave up on.
   */
  pool: PgQueryable;
}

const SQL_TYPES: Record<ColumnKind, string> = {
  id: "text",
  text: "text",
  user: "text",
  json: "jsonb",
  time: "bigint",
  integer: "bigint",
  boolean: "boolean",
};

// One advisory lock for every latchkey migration in a database: concurrent `CREATE … IF NOT
// EXISTS` statements can otherwise fail on PostgreSQL's catalog unique indexes.
const MIGRATION_LOCK_KEY = 7_316_052_201;

/**
 * The PostgreSQL DDL for the sessions table and its indexes, for teams that run their own
 * migrations. Times are `bigint` milliseconds since the Unix epoch; data and client facts are
 * `jsonb`. The schema of a `schema.table` name must already exist.
 * @throws ConfigError for a table name that is not an identifier or `schema.table`.
 */
export function postgresSchema(tableName?: string): string {
  return schemaText(parseTableName(tableName, "tableName"));
}

function schemaText(name: TableName): string {
  const table = qualifiedName(name, quote);
  const columns = COLUMNS.map((column) => {
    const nullable = column.nullable ? "NULL" : "NOT NULL";
    const key = column.name === "id" ? " PRIMARY KEY" : "";
    return `  ${column.name} ${SQL_TYPES[column.kind]} ${nullable}${key}`;
  });

  return [
    `CREATE TABLE IF NOT EXISTS ${table} (\n${columns.join(",\n")}\n);`,
    `CREATE INDEX IF NOT EXISTS ${quote(indexName(name, "user_idx"))} ON ${table} (user_id);`,
    `CREATE INDEX IF NOT EXISTS ${quote(indexName(name, "expires_idx"))} ON ${table} (expires_at);`,
  ].join("\n");
}

function quote(identifier: string): string {
  return `"${identifier}"`;
}

function classify(error: unknown): SqlErrorKind {
  const code = errorCode(error) ?? "";

  // 42P01 undefined table, 42703 undefined column, 3F000 undefined schema.
  if (code === "42P01" || code === "42703" || code === "3F000") return "schema";
  if (code === "23505") return "duplicate";
  // 57014 statement cancelled (statement_timeout), 55P03 lock not available (lock_timeout).
  if (code === "57014" || code === "55P03") return "timeout";
  if (isNetworkError(error) || code.startsWith("08") || /^57P0[1-3]$|^53300$/.test(code)) {
    return "unavailable";
  }

  const message = errorMessage(error);
  if (/timeout/i.test(message)) return "timeout";
  if (/connection|terminated|not queryable|pool after calling end/i.test(message)) {
    return "unavailable";
  }
  return "reply";
}

function newData(write: NewData): SqlFragment {
  // Set, then delete, in one expression that PostgreSQL evaluates on the row it locks, so
  // concurrent patches of different keys all keep their change.
  return write.kind === "patch"
    ? sql`((data || ${write.setJson}::jsonb) - ${write.deleteKeys}::text[])`
    : sql`${write.dataJson}::jsonb`;
}

function recordBytes(data: SqlFragment): SqlFragment {
  return sql`(octet_length((${data})::text) + coalesce(octet_length(client::text), 0)
    + coalesce(octet_length(user_id), 0))`;
}

function supersede(input: SupersedeInput): SqlFragment {
  const { table, oldId, expectedVersion } = input;
  const match = sql`id = ${oldId} AND state = 'active' AND version = ${expectedVersion}`;
  const retire =
    input.retire === "delete"
      ? sql`DELETE FROM ${table} WHERE ${match} RETURNING id`
      : sql`UPDATE ${table} SET state = 'superseded', successor_id = ${input.successorId},
          grace_until = ${input.graceUntil}::bigint, expires_at = ${input.expiresAt}
          WHERE ${match} RETURNING id`;
  // INSERT … SELECT does not infer parameter types from the target columns, hence the casts.
  const values = join(
    COLUMNS.map(
      (column, index) => sql`${input.successorValues[index]}::${raw(SQL_TYPES[column.kind])}`,
    ),
    ", ",
  );
  const columns = raw(COLUMNS.map((column) => column.name).join(", "));

  return sql`WITH retired AS (${retire})
    INSERT INTO ${table} (${columns}) SELECT ${values} FROM retired RETURNING id`;
}

function postgresBackend(pool: PgQueryable): SqlBackend {
  const run = async (statement: SqlFragment, timeoutMs: number) => {
    const { text, values } = render(statement, (position) => `$${position}`);
    const result = await pool.query({ text, values, query_timeout: timeoutMs });
    return { rows: result.rows as Record<string, unknown>[], affected: result.rowCount ?? 0 };
  };

  return {
    label: "PostgreSQL",
    schemaFunction: "postgresSchema",
    quote,
    least: "LEAST",
    deleteExpired: (table, now, limit) =>
      sql`DELETE FROM ${table} WHERE expires_at <= ${now} AND id IN (SELECT id FROM ${table}
        WHERE expires_at <= ${now} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`,
    classify,
    query: run,
    async runSchema(name, timeoutMs) {
      // Several statements in one simple query run as one implicit transaction, which holds
      // the advisory lock until the end.
      const text = `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});\n${schemaText(name)}`;
      await pool.query({ text, query_timeout: timeoutMs });
    },
    writes: { kind: "single-statement", newData, recordBytes, supersede },
    watchErrors(listener) {
      pool.on?.("error", listener);
      return () => void pool.removeListener?.("error", listener);
    },
  };
}

/**
 * A {@link SQLStore} in PostgreSQL. Build it with `new PostgresStore({ pool })` (no I/O) or
 * {@link createPostgresStore} (checks the table first). Run {@link SQLStore.migrate} once, or
 * apply {@link postgresSchema} with your own migrations.
 *
 * Limitation: `jsonb` cannot hold the character U+0000 in a string; session data containing it
 * is refused by the server with a `StoreError` (`store-reply`).
 */
export class PostgresStore extends SQLStore {
  /** @throws ConfigError for a bad option, naming it (`store.tableName`…). */
  constructor(options: PostgresStoreOptions) {
    const config = resolveSQLOptions(options);
    if (typeof options.pool?.query !== "function") {
      throw new ConfigError("store.pool", "must be a pg Pool or Client");
    }
    super(postgresBackend(options.pool), config);
  }
}

/**
 * Builds a {@link PostgresStore}, runs `migrate()` when asked, then `check()` unless told not
 * to, so that a missing or wrong table stops the app at start-up.
 * @throws ConfigError for a bad option; StoreError when the table check or migration fails.
 */
export async function createPostgresStore(
  options: PostgresStoreOptions & SQLStartOptions,
): Promise<PostgresStore> {
  return prepareStore(new PostgresStore(options), options);
}

// The shared store API, so that this subpath is all an app imports for its database.
export { SQLStore, type DeleteExpiredOptions } from "./sql-store.js";
export type { SQLStartOptions, SQLStoreOptions } from "./sql-options.js";
export { DEFAULT_TABLE_NAME } from "./table-name.js";
