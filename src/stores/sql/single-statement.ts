import { SessionDataTooLargeError, StoreError } from "../../core/errors.js";
import type { DataWrite, WriteOutcome } from "../../core/store.js";
import type { QueryResult, SingleStatementWrites, SupersedeInput } from "./sql-backend.js";
import { refusal, storedVersion } from "./sql-writes.js";
import { raw, sql, type SqlFragment } from "./statement.js";

/**
 * Conditional writes for dialects that check, change and report in one statement
 * (PostgreSQL). A refused statement is followed by a read-only probe that says why; the probe
 * is not part of the write, so the write itself stays one atomic statement.
 */

/** Runs a statement against the database (with the store's timeout). */
export type RunStatement = (statement: SqlFragment) => Promise<QueryResult>;

// A write refused for no reason the probe can see (the row changed in between) is tried again,
// a bounded number of times.
const ATTEMPTS = 3;

/** The inputs of a one-statement data write. */
export interface DataWriteInput {
  table: SqlFragment;
  id: string;
  write: DataWrite;
  /** The JSON of the patch's `set` or of the replacement data. */
  json: string;
  expectedVersion: number | null;
  maxRecordBytes: number;
}

/**
 * `UPDATE … RETURNING version` on an active row at the expected version whose new size stays
 * within the limit. PostgreSQL evaluates the new data on the row it locks, so concurrent
 * patches of different keys all keep their change.
 * @throws SessionDataTooLargeError when the merged record would exceed the limit.
 */
export async function writeDataInOneStatement(
  run: RunStatement,
  writes: SingleStatementWrites,
  input: DataWriteInput,
): Promise<WriteOutcome> {
  const { table, id, write, json, expectedVersion, maxRecordBytes } = input;
  const newData = writes.newData(
    write.kind === "patch"
      ? { kind: "patch", setJson: json, deleteKeys: write.delete }
      : { kind: "replace", dataJson: json },
  );
  const bytes = writes.recordBytes(newData);
  const versionCheck = expectedVersion === null ? raw("") : sql` AND version = ${expectedVersion}`;

  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const update = sql`UPDATE ${table} SET data = ${newData}, version = version + 1
      WHERE id = ${id} AND state = 'active'${versionCheck} AND ${bytes} <= ${maxRecordBytes}
      RETURNING version`;
    const updated = (await run(update)).rows[0];
    if (updated !== undefined) return { ok: true, version: storedVersion(updated) };

    const probe = sql`SELECT state, version, ${bytes} AS record_bytes
      FROM ${table} WHERE id = ${id}`;
    const row = (await run(probe)).rows[0];
    const refused = refusal(row, expectedVersion);
    if (refused !== null) return refused;

    const measured = Number(row?.record_bytes);
    if (measured > maxRecordBytes) throw new SessionDataTooLargeError(measured, maxRecordBytes);
  }
  throw new StoreError("store-reply", "writeData", "the row changed under every attempt");
}

/**
 * A rotation as one statement (a data-modifying CTE): the successor is inserted only when the
 * old row was retired, and of two concurrent rotations the second finds the row superseded.
 * @returns on success, the successor's version.
 */
export async function supersedeInOneStatement(
  run: RunStatement,
  writes: SingleStatementWrites,
  input: SupersedeInput,
  successorVersion: number,
): Promise<WriteOutcome> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const inserted = (await run(writes.supersede(input))).rows[0];
    if (inserted !== undefined) return { ok: true, version: successorVersion };

    const probe = sql`SELECT state, version FROM ${input.table} WHERE id = ${input.oldId}`;
    const refused = refusal((await run(probe)).rows[0], input.expectedVersion);
    if (refused !== null) return refused;
  }
  throw new StoreError("store-reply", "supersede", "the row changed under every attempt");
}
