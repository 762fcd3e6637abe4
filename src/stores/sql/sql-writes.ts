import { SessionDataTooLargeError, StoreError } from "../../core/errors.js";
import type { SessionData } from "../../core/record.js";
import type { DataWrite, WriteOutcome } from "../../core/store.js";
import { recordBytes } from "./row-codec.js";
import type { WritePlan } from "./sql-backend.js";
import { sql, type SqlFragment } from "./statement.js";

/** The failed outcomes of a conditional write. */
export type WriteFailure = Extract<WriteOutcome, { ok: false }>;

const MISSING: WriteFailure = { ok: false, reason: "missing" };
const INACTIVE: WriteFailure = { ok: false, reason: "inactive" };
const CONFLICT: WriteFailure = { ok: false, reason: "conflict" };

/**
 * Why a conditional write on `row` (its `state` and `version`) would be refused, or `null` when
 * it would go ahead. Checked in this order: missing, inactive, conflict.
 */
export function refusal(
  row: Record<string, unknown> | undefined,
  expectedVersion: number | null,
): WriteFailure | null {
  if (row === undefined) return MISSING;
  if (row.state !== "active") return INACTIVE;
  if (expectedVersion !== null && storedVersion(row) !== expectedVersion) return CONFLICT;
  return null;
}

/** The `version` cell of a row as a number (node-postgres gives BIGINT as a string). */
export function storedVersion(row: Record<string, unknown>): number {
  const cell = row.version;
  const version = typeof cell === "string" || typeof cell === "bigint" ? Number(cell) : cell;
  if (typeof version !== "number" || !Number.isSafeInteger(version)) {
    throw new StoreError("store-reply", "writeData", "the stored version is not an integer");
  }
  return version;
}

/**
 * Applies a data write to the stored data, as a new object: a replacement, or a patch that sets
 * keys and then deletes keys. Keys are defined, not assigned, so a key named `__proto__` stays
 * a plain key (R55).
 */
export function applyWrite(stored: SessionData, write: DataWrite): SessionData {
  if (write.kind === "replace") return write.data;

  const merged = Object.fromEntries([...Object.entries(stored), ...Object.entries(write.set)]);
  for (const key of write.delete) delete merged[key];
  return merged as SessionData;
}

/**
 * The decision of a locked data write (MySQL, SQLite): refuse, or write the merged data checked
 * against the size limit, with the version raised by one.
 */
export function planDataWrite(
  table: SqlFragment,
  id: string,
  write: DataWrite,
  expectedVersion: number | null,
  maxRecordBytes: number,
  row: Record<string, unknown> | undefined,
): WritePlan<WriteOutcome> {
  const refused = refusal(row, expectedVersion);
  if (refused !== null || row === undefined) return { writes: [], result: refused ?? MISSING };

  const version = storedVersion(row) + 1;
  const json = JSON.stringify(applyWrite(write.kind === "patch" ? storedData(row) : {}, write));
  const bytes = recordBytes(json, textCell(row.client), textCell(row.user_id));
  if (bytes > maxRecordBytes) throw new SessionDataTooLargeError(bytes, maxRecordBytes);

  return {
    writes: [sql`UPDATE ${table} SET data = ${json}, version = ${version} WHERE id = ${id}`],
    result: { ok: true, version },
  };
}

function storedData(row: Record<string, unknown>): SessionData {
  const text = textCell(row.data);

  try {
    const data: unknown = text === null ? null : JSON.parse(text);
    if (typeof data === "object" && data !== null && !Array.isArray(data)) {
      return data as SessionData;
    }
  } catch {
    // Reported below.
  }
  throw new StoreError("store-reply", "writeData", "the stored data does not decode as an object");
}

function textCell(cell: unknown): string | null {
  if (typeof cell === "string") return cell;
  if (Buffer.isBuffer(cell)) return cell.toString("utf8");
  return null;
}
