import type { RecordTouch } from "../../core/record.js";
import type { SupersedeOptions } from "../../core/store.js";
import { COLUMNS } from "./row-codec.js";
import { join, raw, sql, type SqlFragment } from "./statement.js";

/**
 * The statements the shared store sends, written once for every dialect. `table` is the quoted,
 * validated table name; every other interpolation is a bound parameter.
 */

/** Every column, in `COLUMNS` order. */
export const COLUMN_LIST = raw(COLUMNS.map((column) => column.name).join(", "));

/** The primary-key lookup: the only statement of a validate that needs no renewal. */
export function selectRecord(table: SqlFragment, id: string): SqlFragment {
  return sql`SELECT ${COLUMN_LIST} FROM ${table} WHERE id = ${id}`;
}

/** A user's rows, through the user-id index. */
export function selectByUser(table: SqlFragment, userId: string): SqlFragment {
  return sql`SELECT ${COLUMN_LIST} FROM ${table} WHERE user_id = ${userId}`;
}

/** Reads no row but names every column, so a missing table or column fails. */
export function selectNothing(table: SqlFragment): SqlFragment {
  return sql`SELECT ${COLUMN_LIST} FROM ${table} WHERE 1 = 0`;
}

/** Inserts a row from its column values in `COLUMNS` order. */
export function insertRecord(table: SqlFragment, values: readonly unknown[]): SqlFragment {
  const list = join(
    values.map((value) => sql`${value}`),
    ", ",
  );
  return sql`INSERT INTO ${table} (${COLUMN_LIST}) VALUES (${list})`;
}

/**
 * Renews an active row. Of out-of-order renewals only one at or after the stored `lastSeenAt`
 * applies. `last_seen_at` is assigned last because MySQL evaluates assignments left to right
 * and the other two must compare with the stored value.
 */
export function touchRow(table: SqlFragment, id: string, touch: RecordTouch): SqlFragment {
  // With `previousLastSeenAt`, only the renewal computed from the stored value writes.
  const previous = touch.previousLastSeenAt;
  const newer =
    previous === undefined
      ? sql`last_seen_at <= ${touch.lastSeenAt}`
      : sql`last_seen_at <= ${touch.lastSeenAt} AND last_seen_at = ${previous}`;
  return sql`UPDATE ${table} SET
    idle_expires_at = CASE WHEN ${newer} THEN ${touch.idleExpiresAt} ELSE idle_expires_at END,
    expires_at = CASE WHEN ${newer} THEN ${touch.expiresAt} ELSE expires_at END,
    last_seen_at = CASE WHEN ${newer} THEN ${touch.lastSeenAt} ELSE last_seen_at END
    WHERE id = ${id} AND state = 'active'`;
}

/** Deletes the active rows matching `where`. */
export function deleteActive(table: SqlFragment, where: SqlFragment): SqlFragment {
  return sql`DELETE FROM ${table} WHERE ${where} AND state = 'active'`;
}

/** Turns the active rows matching `where` into tombstones with the earlier deadline. */
export function revokeRows(
  table: SqlFragment,
  where: SqlFragment,
  tombstoneUntil: number,
  least: string,
): SqlFragment {
  return sql`UPDATE ${table} SET state = 'revoked', data = '{}',
    expires_at = ${raw(least)}(expires_at, ${tombstoneUntil})
    WHERE ${where} AND state = 'active'`;
}

/** Counts the active rows that `where` selects, as `n`. */
export function countActive(table: SqlFragment, where: SqlFragment): SqlFragment {
  return sql`SELECT COUNT(*) AS n FROM ${table} WHERE ${where} AND state = 'active'`;
}

/** Retires the old row of a rotation inside a transaction that has already checked it. */
export function retireRow(
  table: SqlFragment,
  oldId: string,
  successorId: string,
  options: SupersedeOptions,
  retire: "update" | "delete",
): SqlFragment {
  if (retire === "delete") return sql`DELETE FROM ${table} WHERE id = ${oldId}`;
  return sql`UPDATE ${table} SET state = 'superseded', successor_id = ${successorId},
    grace_until = ${options.graceUntil}, expires_at = ${options.expiresAt} WHERE id = ${oldId}`;
}

/** Reads the columns a locked write decides on, taking the row lock where the dialect has one. */
export function lockedRead(
  table: SqlFragment,
  columns: string,
  id: string,
  lockClause: string,
): SqlFragment {
  return sql`SELECT ${raw(columns)} FROM ${table} WHERE id = ${id}${raw(lockClause)}`;
}

/** Removes one row. */
export function deleteRow(table: SqlFragment, id: string): SqlFragment {
  return sql`DELETE FROM ${table} WHERE id = ${id}`;
}
