import { trustStoreReads } from "../../core/record-check.js";
import type { SessionEvent } from "../../core/events.js";
import type { RecordTouch, SessionRecord } from "../../core/record.js";
import type {
  CorruptRecord,
  DataWrite,
  SessionStore,
  SupersedeOptions,
  WriteOutcome,
} from "../../core/store.js";
import { startCleanupRunner } from "./cleanup.js";
import {
  checkTimes,
  decodeRow,
  encodeData,
  encodeRecord,
  isStorableId,
  isStorableUserId,
} from "./row-codec.js";
import type { QueryResult, SqlBackend, WritePlan } from "./sql-backend.js";
import { toStoreError, withTimeout } from "./sql-errors.js";
import type { ResolvedSQLOptions } from "./sql-options.js";
import * as statements from "./sql-statements.js";
import { planDataWrite, refusal } from "./sql-writes.js";
import { supersedeInOneStatement, writeDataInOneStatement } from "./single-statement.js";
import { raw, sql, type SqlFragment } from "./statement.js";
import { qualifiedName } from "./table-name.js";
import { emitEvent } from "../../core/emit.js";

// DDL may wait behind another instance's migration, so it gets a longer budget than a query.
const SCHEMA_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BATCHES = 1_000;

/** Options of one {@link SQLStore.deleteExpired} call. */
export interface DeleteExpiredOptions {
  /** Rows per statement. @default the store's `cleanupBatchSize` */
  batchSize?: number;
  /** Statements at most, so that one call is bounded too. @default 1000 */
  maxBatches?: number;
}

// Each further pass is needed only when a rotation of one of the user's sessions committed
// during the previous one; eight in a row cannot happen outside a deliberate race.
const MAX_REVOKE_PASSES = 8;

/**
 * The shared SQL store: every `SessionStore` operation, the schema helpers and cleanup, written
 * once over an internal per-database backend. `PostgresStore`, `MySQLStore` and `SQLiteStore`
 * are this class with their backend; build one of those, not an `SQLStore` itself.
 *
 * Guarantees, each backed by a test against the real server:
 * - `get` is one primary-key `SELECT`; a read writes nothing.
 * - Every conditional write is one statement or one transaction: a rotation leaves exactly one
 *   live successor, a revoked or superseded row is never revived, `touch` never re-creates a
 *   deleted row and never moves `lastSeenAt` back, a stale `expectedVersion` writes nothing, and
 *   concurrent patches of different keys all keep their change.
 * - Values always travel as bound parameters; only the checked table name is part of the SQL.
 * - Times come from the app's clock (the `now` option), never from the database's `NOW()`.
 * - Every call settles within `queryTimeoutMs` (SQLite: see its store); a fault is a
 *   `StoreError` with its cause.
 *
 * A call that times out may still be carried out by the server afterwards (the statement was
 * sent): the error means the outcome is unknown, not that nothing happened.
 */
export class SQLStore implements SessionStore {
  readonly #config: ResolvedSQLOptions;
  readonly #backend: SqlBackend;
  readonly #table: SqlFragment;
  readonly #unwatch: () => void;
  #stopCleanup: (() => void) | null = null;

  /**
   * Called by the dialect stores with their backend and checked options.
   * @internal
   */
  constructor(backend: SqlBackend, config: ResolvedSQLOptions) {
    this.#backend = backend;
    this.#config = config;
    this.#table = raw(qualifiedName(config.table, backend.quote));
    this.#unwatch = backend.watchErrors((error) => this.#report("pool", error));
    // Every row is decoded and checked (checkStoredRecord): the core need not check it again.
    trustStoreReads(this);

    // FR-11: the runner depends on nothing but this option, not on migrate() having run.
    if (config.cleanupIntervalMs !== null) {
      const report = (error: unknown): void => this.#report("deleteExpired", error);
      const task = () => this.deleteExpired();
      this.#stopCleanup = startCleanupRunner(task, config.cleanupIntervalMs, report);
    }
  }

  /** Reads a row with one primary-key `SELECT`; one that does not decode is a `CorruptRecord`. */
  async get(id: string): Promise<SessionRecord | CorruptRecord | null> {
    if (!isStorableId(id)) return null;

    const { rows } = await this.#query("get", statements.selectRecord(this.#table, id));
    const row = rows[0];
    return row === undefined ? null : decodeRow(row, id);
  }

  /** Inserts a row; an id already stored gives `"exists"`. An already expired one is not kept. */
  async create(record: SessionRecord): Promise<"created" | "exists"> {
    const values = encodeRecord(record, this.#config.maxRecordBytes, "create");
    if (record.expiresAt <= this.#config.now()) return "created";

    const insert = statements.insertRecord(this.#table, values);
    const run = () => this.#backend.query(insert, this.#config.queryTimeoutMs);
    const inserted = await this.#run("create", run, { onDuplicate: () => null });
    return inserted === null ? "exists" : "created";
  }

  /** Renews an active row in one `UPDATE`; a renewal older than the stored one changes nothing. */
  async touch(id: string, touch: RecordTouch): Promise<boolean> {
    checkTimes("touch", [touch.lastSeenAt, touch.idleExpiresAt, touch.expiresAt]);
    if (!isStorableId(id)) return false;

    const statement =
      touch.expiresAt <= this.#config.now()
        ? statements.deleteActive(this.#table, sql`id = ${id}`)
        : statements.touchRow(this.#table, id, touch);
    return (await this.#query("touch", statement)).affected > 0;
  }

  /** Patches (atomically per key) or replaces an active row's data and raises its version. */
  async writeData(
    id: string,
    write: DataWrite,
    expectedVersion: number | null,
  ): Promise<WriteOutcome> {
    if (!isStorableId(id)) return { ok: false, reason: "missing" };
    const maxRecordBytes = this.#config.maxRecordBytes;
    const json = encodeData(write.kind === "patch" ? write.set : write.data, maxRecordBytes);
    const writes = this.#backend.writes;

    if (writes.kind === "single-statement") {
      const input = { table: this.#table, id, write, json, expectedVersion, maxRecordBytes };
      return this.#run("writeData", () => writeDataInOneStatement(this.#runner(), writes, input));
    }

    const columns = "state, version, data, client, user_id";
    const read = statements.lockedRead(this.#table, columns, id, writes.lockClause);
    const decide = (rows: Record<string, unknown>[]) =>
      planDataWrite(this.#table, id, write, expectedVersion, maxRecordBytes, rows[0]);
    return this.#run("writeData", () => writes.transact(read, decide, this.#deadline()));
  }

  /** Rotates `oldId` to `successor` in one statement or one transaction. */
  async supersede(
    oldId: string,
    expectedVersion: number,
    successor: SessionRecord,
    options: SupersedeOptions,
  ): Promise<WriteOutcome> {
    checkTimes("supersede", [options.graceUntil, options.expiresAt]);
    const values = encodeRecord(successor, this.#config.maxRecordBytes, "supersede");
    if (!isStorableId(oldId)) return { ok: false, reason: "missing" };
    // An old row whose deadline has already passed is deleted rather than kept (FR-04).
    const retire = options.expiresAt <= this.#config.now() ? "delete" : "update";
    const writes = this.#backend.writes;

    if (writes.kind === "single-statement") {
      const input = { table: this.#table, oldId, expectedVersion, successorId: successor.id };
      const full = { ...input, ...options, retire, successorValues: values } as const;
      const task = () => supersedeInOneStatement(this.#runner(), writes, full, successor.version);
      return this.#run("supersede", task);
    }

    const read = statements.lockedRead(this.#table, "state, version", oldId, writes.lockClause);
    const retired = statements.retireRow(this.#table, oldId, successor.id, options, retire);
    const insert = statements.insertRecord(this.#table, values);
    const decide = (rows: Record<string, unknown>[]): WritePlan<WriteOutcome> => {
      const refused = refusal(rows[0], expectedVersion);
      if (refused !== null) return { writes: [], result: refused };
      return { writes: [retired, insert], result: { ok: true, version: successor.version } };
    };
    return this.#run("supersede", () => writes.transact(read, decide, this.#deadline()));
  }

  /** Revokes an active row in one statement: state, emptied data, the earlier deadline. */
  async markRevoked(id: string, tombstoneUntil: number): Promise<boolean> {
    checkTimes("markRevoked", [tombstoneUntil]);
    if (!isStorableId(id)) return false;

    const statement = this.#revoke(sql`id = ${id}`, tombstoneUntil);
    return (await this.#query("markRevoked", statement)).affected > 0;
  }

  /**
   * Revokes a user's active rows through the user-id index: one statement, and on PostgreSQL a
   * check that no active row is left (see below), all within one `queryTimeoutMs`.
   */
  async markRevokedByUser(
    userId: string,
    tombstoneUntil: number,
    exceptId: string | null,
  ): Promise<number> {
    checkTimes("markRevokedByUser", [tombstoneUntil]);
    if (!isStorableUserId(userId)) return 0;

    const except = exceptId === null ? raw("") : sql` AND id <> ${exceptId}`;
    const where = sql`user_id = ${userId}${except}`;
    const revoke = this.#revoke(where, tombstoneUntil);
    if (this.#backend.writes.kind !== "single-statement") {
      return (await this.#query("markRevokedByUser", revoke)).affected;
    }

    // PostgreSQL under READ COMMITTED: an UPDATE that waits on a row a rotation holds re-checks
    // that row once the rotation commits (now superseded, so skipped) but cannot see the
    // successor the rotation inserted after the UPDATE began. Counting in a new statement sees
    // it (an uncommitted rotation's old row still counts as active), so revoke again until no
    // active row is left. MySQL's locking reads and SQLite's single writer have no such gap.
    const count = statements.countActive(this.#table, where);
    const run = this.#runner();
    const task = async (): Promise<number> => {
      let revoked = (await run(revoke)).affected;
      for (let pass = 1; pass < MAX_REVOKE_PASSES; pass++) {
        const { rows } = await run(count);
        if (Number(rows[0]?.n ?? 0) === 0) break;
        revoked += (await run(revoke)).affected;
      }
      return revoked;
    };
    return this.#run("markRevokedByUser", task);
  }

  /**
   * A user's rows in any state, through the user-id index. Undecodable rows are left out and
   * reported as `store.corrupt-record` events.
   */
  async listByUser(userId: string): Promise<SessionRecord[]> {
    if (!isStorableUserId(userId)) return [];

    const { rows } = await this.#query("listByUser", statements.selectByUser(this.#table, userId));
    const records: SessionRecord[] = [];
    for (const row of rows) {
      const record = decodeRow(row, typeof row.id === "string" ? row.id : "");
      if (!("corrupt" in record)) records.push(record);
      else this.#reportCorrupt(record);
    }
    return records;
  }

  /** Removes a row; an unknown id is a no-op. */
  async delete(id: string): Promise<void> {
    if (!isStorableId(id)) return;
    await this.#query("delete", statements.deleteRow(this.#table, id));
  }

  /**
   * Creates the table and its indexes when they are missing. Idempotent and safe to run on
   * every start by several instances at once; it never drops or alters anything.
   */
  async migrate(): Promise<void> {
    const task = () => this.#backend.runSchema(this.#config.table, SCHEMA_TIMEOUT_MS);
    await this.#run("migrate", task, { timeoutMs: SCHEMA_TIMEOUT_MS });
  }

  /**
   * Checks that the table exists with every column latchkey uses (one `SELECT` that reads no
   * row). @throws StoreError `store-schema`, naming the table and saying to run `migrate()`.
   */
  async check(): Promise<void> {
    await this.#query("check", statements.selectNothing(this.#table));
  }

  /**
   * Deletes rows whose `expiresAt` is at or before the store's clock, in statements of at most
   * `batchSize` rows, so that no statement holds its locks for long. Live rows are never
   * touched. @returns how many rows were deleted.
   */
  async deleteExpired(options: DeleteExpiredOptions = {}): Promise<number> {
    const batchSize = options.batchSize ?? this.#config.cleanupBatchSize;
    const maxBatches = options.maxBatches ?? DEFAULT_MAX_BATCHES;
    const now = this.#config.now();
    let total = 0;

    for (let batch = 0; batch < maxBatches; batch++) {
      const statement = this.#backend.deleteExpired(this.#table, now, batchSize);
      const { affected } = await this.#query("deleteExpired", statement);
      total += affected;
      if (affected < batchSize) break;
    }
    return total;
  }

  /**
   * Stops the cleanup timer and the pool-error listener. The driver handle stays open: it
   * belongs to the app, which ends it (and handles its errors from then on).
   */
  async close(): Promise<void> {
    this.#stopCleanup?.();
    this.#stopCleanup = null;
    this.#unwatch();
  }

  /** Whether the cleanup timer is running. */
  get cleaning(): boolean {
    return this.#stopCleanup !== null;
  }

  #revoke(where: SqlFragment, tombstoneUntil: number): SqlFragment {
    // A tombstone that would already be expired is just a deletion (FR-04).
    if (tombstoneUntil <= this.#config.now()) return statements.deleteActive(this.#table, where);
    return statements.revokeRows(this.#table, where, tombstoneUntil, this.#backend.least);
  }

  #runner(): (statement: SqlFragment) => Promise<QueryResult> {
    return (statement) => this.#backend.query(statement, this.#config.queryTimeoutMs);
  }

  #query(operation: string, statement: SqlFragment): Promise<QueryResult> {
    return this.#run(operation, () => this.#backend.query(statement, this.#config.queryTimeoutMs));
  }

  async #run<T, D = never>(
    operation: string,
    task: () => Promise<T>,
    options: { onDuplicate?: () => D; timeoutMs?: number } = {},
  ): Promise<T | D> {
    const timeoutMs = options.timeoutMs ?? this.#config.queryTimeoutMs;

    try {
      return await withTimeout(task(), timeoutMs, operation);
    } catch (error) {
      const kind = this.#backend.classify(error);
      if (kind === "duplicate" && options.onDuplicate !== undefined) return options.onDuplicate();
      const { label, schemaFunction } = this.#backend;
      throw toStoreError(error, kind, operation, this.#config.table, label, schemaFunction);
    }
  }

  #deadline(): number {
    return Date.now() + this.#config.queryTimeoutMs;
  }

  // A listing cannot hand a corrupt row to the core, which would report it on validate; the
  // store says so itself, as the Redis store does.
  #reportCorrupt(record: CorruptRecord): void {
    emitEvent(this.#config.onEvent, {
      type: "store.corrupt-record",
      at: this.#config.now(),
      sessionIdPrefix: record.id.slice(0, 8),
      detail: record.detail,
    });
  }

  #report(operation: string, error: unknown): void {
    const event: SessionEvent = { type: "store.error", at: this.#config.now(), operation, error };

    // The app's hook may throw or reject; background work must not fail because of it.
    emitEvent(this.#config.onEvent, event);
  }
}
