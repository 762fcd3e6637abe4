import type { SqlFragment } from "./statement.js";
import type { TableName } from "./table-name.js";

/** The rows and the affected-row count of one statement. */
export interface QueryResult {
  rows: Record<string, unknown>[];
  /** Rows inserted, updated or deleted (matched rows for MySQL's default `FOUND_ROWS`). */
  affected: number;
}

/** What a locked read decided: the statements to run in the same transaction, and the result. */
export interface WritePlan<T> {
  writes: SqlFragment[];
  result: T;
}

/** The kinds of driver failure the shared store tells apart. */
export type SqlErrorKind = "schema" | "duplicate" | "timeout" | "unavailable" | "reply";

/** The new data of a write, as the single-statement dialect builds it into SQL. */
export type NewData =
  { kind: "patch"; setJson: string; deleteKeys: string[] } | { kind: "replace"; dataJson: string };

/**
 * Dialects whose updates can check, change and report in one statement (PostgreSQL:
 * `RETURNING` and data-modifying CTEs). Every write is one statement; no transaction is opened.
 */
export interface SingleStatementWrites {
  kind: "single-statement";
  /** The SQL expression for a row's data after the write, computed from the stored `data`. */
  newData(write: NewData): SqlFragment;
  /** The SQL expression for the size of a row whose data becomes `newData`, in bytes. */
  recordBytes(newData: SqlFragment): SqlFragment;
  /**
   * Rotation in one statement: retires the old row (active, expected version) and inserts the
   * successor only when that matched. Returns the successor's `id`, or no row.
   */
  supersede(input: SupersedeInput): SqlFragment;
}

/**
 * Dialects without those forms (MySQL, SQLite): a write reads the row with a lock (`FOR UPDATE`,
 * or SQLite's `BEGIN IMMEDIATE`), decides in code and writes in the same transaction.
 */
export interface LockingReadWrites {
  kind: "locking-read";
  /** Appended to the locking read: `" FOR UPDATE"`, or `""` where the transaction locks. */
  lockClause: string;
  /**
   * Runs `read`, hands its rows to `decide`, runs the writes it returns, all in one transaction.
   * When `decide` throws, the transaction is rolled back and the error passed on.
   * @param deadline the `Date.now()` value after which the transaction is abandoned.
   */
  transact<T>(
    read: SqlFragment,
    decide: (rows: Record<string, unknown>[]) => WritePlan<T>,
    deadline: number,
  ): Promise<T>;
}

/** The inputs of a one-statement rotation. */
export interface SupersedeInput {
  table: SqlFragment;
  oldId: string;
  expectedVersion: number;
  successorId: string;
  graceUntil: number | null;
  expiresAt: number;
  /** Whether the old row is kept as superseded or, its deadline being past, deleted. */
  retire: "update" | "delete";
  /** The successor's column values, in `COLUMNS` order. */
  successorValues: unknown[];
}

/**
 * What differs between databases: SQL spelling, the schema, error codes, and how statements
 * reach the driver. Everything else lives once, in the shared `SQLStore`.
 */
export interface SqlBackend {
  /** The database's name, for messages (`PostgreSQL`). */
  readonly label: string;
  /** The name of the function that builds the schema text, for messages. */
  readonly schemaFunction: string;
  /** Quotes one validated identifier part. */
  quote(identifier: string): string;
  /** The two-argument minimum function: `LEAST` or SQLite's `MIN`. */
  readonly least: string;
  /** Deletes at most `limit` rows whose `expires_at` is at or before `now`. */
  deleteExpired(table: SqlFragment, now: number, limit: number): SqlFragment;
  /** Sorts a driver error into the kinds the store reports. */
  classify(error: unknown): SqlErrorKind;
  /** Runs one statement; the driver's own timeout is set to `timeoutMs` where it has one. */
  query(statement: SqlFragment, timeoutMs: number): Promise<QueryResult>;
  /** Runs the schema DDL so that several instances may run it at once. */
  runSchema(name: TableName, timeoutMs: number): Promise<void>;
  /** How conditional writes are made atomic. */
  readonly writes: SingleStatementWrites | LockingReadWrites;
  /**
   * Subscribes to connection errors the driver reports outside any query (a pool's `error`
   * event), so that they cannot crash the process. @returns the unsubscribe function.
   */
  watchErrors(listener: (error: unknown) => void): () => void;
}
