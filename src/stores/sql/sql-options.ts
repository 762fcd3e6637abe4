import { ConfigError } from "../../core/errors.js";
import type { EventHandler } from "../../core/events.js";
import { parseTableName, type TableName } from "./table-name.js";

/** Options every SQL store takes besides its driver handle. */
export interface SQLStoreOptions {
  /**
   * The sessions table: `table` or `schema.table`, each part letters, digits and underscores,
   * at most 48 characters. Checked when the store is built. @default "latchkey_sessions"
   */
  tableName?: string;
  /**
   * Every store call rejects with a `StoreError` (`store-timeout`) after this long.
   * @default 2000
   */
  queryTimeoutMs?: number;
  /**
   * The largest record accepted, counting the UTF-8 JSON of the data and the client facts plus
   * the user id, in bytes. A larger one is refused with `SessionDataTooLargeError` before it
   * reaches the database. @default 69632 (64 KiB of data plus 4 KiB of room)
   */
  maxRecordBytes?: number;
  /**
   * Runs `deleteExpired()` on this interval (an unref'd timer that `close()` stops), or never
   * when `null`. Independent of `migrate()`. Errors go to `onEvent` as `store.error`.
   * @default null
   */
  cleanupIntervalMs?: number | null;
  /** How many expired rows one cleanup statement deletes at most. @default 1000 */
  cleanupBatchSize?: number;
  /**
   * The clock that decides what `deleteExpired()` removes and which writes are already expired,
   * in milliseconds since the epoch; the database's own clock is never used (FR-07).
   * @default Date.now
   */
  now?: () => number;
  /**
   * Receives `store.error` events (pool errors, failed background cleanup) and
   * `store.corrupt-record` for undecodable rows met while listing a user's sessions.
   */
  onEvent?: EventHandler;
}

/** Options of the async store factories, on top of the store's own. */
export interface SQLStartOptions {
  /** Run `migrate()` before returning the store. @default false */
  migrate?: boolean;
  /**
   * Run `check()` before returning the store, so that a missing or wrong table fails at
   * start-up with a `StoreError` (`store-schema`). @default true
   */
  check?: boolean;
}

/** The checked, frozen form of {@link SQLStoreOptions}. */
export interface ResolvedSQLOptions {
  readonly table: TableName;
  readonly queryTimeoutMs: number;
  readonly maxRecordBytes: number;
  readonly cleanupIntervalMs: number | null;
  readonly cleanupBatchSize: number;
  readonly now: () => number;
  readonly onEvent: EventHandler | null;
}

/** The default per-call timeout, in milliseconds. */
export const DEFAULT_QUERY_TIMEOUT_MS = 2_000;
/** The default record size limit, in bytes: 64 KiB of data plus 4 KiB for the other fields. */
export const DEFAULT_MAX_RECORD_BYTES = 65_536 + 4_096;
/** The default number of rows one cleanup statement deletes. */
export const DEFAULT_CLEANUP_BATCH_SIZE = 1_000;

// setTimeout's largest delay; anything above fires at once.
const MAX_TIMER_MS = 2_147_483_647;

/** Checks the shared options once, when a store is built. @throws ConfigError */
export function resolveSQLOptions(options: SQLStoreOptions): ResolvedSQLOptions {
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new ConfigError("store.now", "must be a function");
  if (options.onEvent !== undefined && typeof options.onEvent !== "function") {
    throw new ConfigError("store.onEvent", "must be a function");
  }

  const cleanupIntervalMs = options.cleanupIntervalMs ?? null;
  if (cleanupIntervalMs !== null)
    checkInteger("store.cleanupIntervalMs", cleanupIntervalMs, 1, MAX_TIMER_MS);

  return Object.freeze({
    table: parseTableName(options.tableName, "store.tableName"),
    queryTimeoutMs: checkInteger(
      "store.queryTimeoutMs",
      options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      1,
      MAX_TIMER_MS,
    ),
    maxRecordBytes: checkInteger(
      "store.maxRecordBytes",
      options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
      2,
      1_073_741_824,
    ),
    cleanupIntervalMs,
    cleanupBatchSize: checkInteger(
      "store.cleanupBatchSize",
      options.cleanupBatchSize ?? DEFAULT_CLEANUP_BATCH_SIZE,
      1,
      1_000_000,
    ),
    now,
    onEvent: options.onEvent ?? null,
  });
}

/** Checks that an option is an integer in `[min, max]`. @throws ConfigError */
export function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}
