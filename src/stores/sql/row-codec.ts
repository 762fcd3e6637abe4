import { SessionDataTooLargeError, StoreError } from "../../core/errors.js";
import { checkStoredRecord, isPlausibleTimeMs } from "../../core/record-check.js";
import type { SessionData, SessionRecord } from "../../core/record.js";
import type { CorruptRecord } from "../../core/store.js";

/** How a column is stored, so each dialect can give it its own SQL type. */
export type ColumnKind = "id" | "text" | "user" | "json" | "time" | "integer" | "boolean";

/** The sessions table's columns, in the order statements list them. */
export const COLUMNS = [
  { name: "id", field: "id", kind: "id", nullable: false },
  { name: "secret_hash", field: "secretHash", kind: "id", nullable: false },
  { name: "user_id", field: "userId", kind: "user", nullable: true },
  { name: "data", field: "data", kind: "json", nullable: false },
  { name: "created_at", field: "createdAt", kind: "time", nullable: false },
  { name: "last_seen_at", field: "lastSeenAt", kind: "time", nullable: false },
  { name: "idle_expires_at", field: "idleExpiresAt", kind: "time", nullable: false },
  { name: "absolute_expires_at", field: "absoluteExpiresAt", kind: "time", nullable: false },
  { name: "expires_at", field: "expiresAt", kind: "time", nullable: false },
  { name: "idle_timeout_ms", field: "idleTimeoutMs", kind: "integer", nullable: false },
  { name: "authenticated_at", field: "authenticatedAt", kind: "time", nullable: true },
  { name: "persistent", field: "persistent", kind: "boolean", nullable: false },
  { name: "client", field: "client", kind: "json", nullable: true },
  { name: "version", field: "version", kind: "integer", nullable: false },
  { name: "state", field: "state", kind: "text", nullable: false },
  { name: "successor_id", field: "successorId", kind: "id", nullable: true },
  { name: "grace_until", field: "graceUntil", kind: "time", nullable: true },
] as const satisfies readonly {
  name: string;
  field: keyof SessionRecord;
  kind: ColumnKind;
  nullable: boolean;
}[];

/** One column of the sessions table. */
export type Column = (typeof COLUMNS)[number];

/** The longest user id the SQL stores keep, in UTF-8 bytes (the MySQL column's width). */
export const MAX_USER_ID_BYTES = 255;

const ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const INTEGER_TEXT = /^-?[0-9]{1,16}$/;

/** Whether `id` can name a stored record; anything else is looked up as "no record". */
export function isStorableId(id: unknown): id is string {
  return typeof id === "string" && ID_PATTERN.test(id);
}

/** The UTF-8 size of the variable-length parts of a record: data, client facts and user id. */
export function recordBytes(
  dataJson: string,
  clientJson: string | null,
  userId: string | null,
): number {
  return (
    Buffer.byteLength(dataJson, "utf8") +
    (clientJson === null ? 0 : Buffer.byteLength(clientJson, "utf8")) +
    (userId === null ? 0 : Buffer.byteLength(userId, "utf8"))
  );
}

/**
 * The column values of a record, in {@link COLUMNS} order, after the shape and size checks.
 * Nothing is ever sent that a column would have to truncate.
 * @throws StoreError (`store-reply`) for a malformed record or a user id over 255 bytes.
 * @throws SessionDataTooLargeError when data, client facts and user id exceed `maxRecordBytes`.
 */
export function encodeRecord(
  record: SessionRecord,
  maxRecordBytes: number,
  operation: string,
): unknown[] {
  checkShape(record, operation);
  const dataJson = JSON.stringify(record.data);
  const clientJson = record.client === null ? null : JSON.stringify(record.client);
  checkUserId(record.userId, operation);

  const bytes = recordBytes(dataJson, clientJson, record.userId);
  if (bytes > maxRecordBytes) throw new SessionDataTooLargeError(bytes, maxRecordBytes);

  return COLUMNS.map((column) => {
    if (column.field === "data") return dataJson;
    if (column.field === "client") return clientJson;
    return record[column.field];
  });
}

/**
 * Refuses, before it reaches the database, a record that would not read back as one: a
 * malformed id, a time that is not a plausible millisecond timestamp (a seconds value, FR-08),
 * data that is not JSON. Nothing is sent that a column would cut or that means another instant.
 */
function checkShape(record: SessionRecord, operation: string): void {
  const problem = checkStoredRecord(record);
  if (typeof problem === "string") {
    throw new StoreError("store-reply", operation, `the record is malformed (${problem})`);
  }
}

/**
 * Refuses times that are not plausible millisecond timestamps (`null` passes), so that a
 * seconds value or a `Date` never reaches SQL as a number of unknown unit (FR-08, FR-27).
 */
export function checkTimes(operation: string, times: readonly (number | null)[]): void {
  if (times.every((time) => time === null || isPlausibleTimeMs(time))) return;
  throw new StoreError(
    "store-reply",
    operation,
    "a time is not an integer number of milliseconds since the epoch",
  );
}

/** Whether a user id fits the user-id column. */
export function isStorableUserId(userId: string): boolean {
  return Buffer.byteLength(userId, "utf8") <= MAX_USER_ID_BYTES;
}

/** Refuses a user id longer than the columns keep, before it reaches the database. */
export function checkUserId(userId: string | null, operation: string): void {
  if (userId === null) return;

  const bytes = Buffer.byteLength(userId, "utf8");
  if (bytes > MAX_USER_ID_BYTES) {
    throw new StoreError(
      "store-reply",
      operation,
      `the user id is ${bytes} bytes; the SQL stores keep at most ${MAX_USER_ID_BYTES}`,
    );
  }
}

/** Serialises session data and checks it against the limit, before it reaches the database. */
export function encodeData(data: SessionData, maxRecordBytes: number): string {
  const json = JSON.stringify(data);
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes > maxRecordBytes) throw new SessionDataTooLargeError(bytes, maxRecordBytes);
  return json;
}

/**
 * Turns a row into a record, or a `CorruptRecord` when it does not decode: bad JSON, wrong
 * types, or times that are not plausible milliseconds (a seconds value, FR-27).
 */
export function decodeRow(row: unknown, requestedId: string): SessionRecord | CorruptRecord {
  if (typeof row !== "object" || row === null) return corrupt(requestedId, "row is not an object");
  const cells = row as Record<string, unknown>;
  const value: Record<string, unknown> = {};

  for (const column of COLUMNS) {
    const decoded = decodeCell(cells[column.name], column.kind);
    if (decoded === INVALID) return corrupt(requestedId, `bad ${column.field}`);
    value[column.field] = decoded;
  }

  const checked = checkStoredRecord(value);
  return typeof checked === "string" ? corrupt(requestedId, checked) : checked;
}

const INVALID = Symbol("invalid");

function decodeCell(cell: unknown, kind: ColumnKind): unknown {
  if (cell === null || cell === undefined) return null;

  switch (kind) {
    case "json":
      return decodeJson(cell);
    case "time":
    case "integer":
      return decodeInteger(cell);
    case "boolean":
      if (cell === 1 || cell === 0) return cell === 1;
      return typeof cell === "boolean" ? cell : INVALID;
    default:
      return decodeText(cell);
  }
}

function decodeJson(cell: unknown): unknown {
  const text = Buffer.isBuffer(cell) ? cell.toString("utf8") : cell;
  if (typeof text !== "string") return typeof text === "object" ? text : INVALID;

  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}

// BIGINT comes back as a string from node-postgres and may be a bigint from better-sqlite3's
// safe-integer mode; both are turned into numbers only when exact.
function decodeInteger(cell: unknown): unknown {
  if (typeof cell === "number") return cell;
  if (typeof cell === "bigint") return Number.isSafeInteger(Number(cell)) ? Number(cell) : INVALID;
  if (typeof cell === "string" && INTEGER_TEXT.test(cell)) return Number(cell);
  return INVALID;
}

function decodeText(cell: unknown): unknown {
  if (typeof cell === "string") return cell;
  if (Buffer.isBuffer(cell)) return cell.toString("utf8");
  return INVALID;
}

function corrupt(id: string, detail: string): CorruptRecord {
  return { corrupt: true, id, detail };
}
