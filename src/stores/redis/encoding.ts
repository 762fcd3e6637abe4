import { checkStoredRecord } from "../../core/record-check.js";
import type { JsonValue, SessionData, SessionRecord } from "../../core/record.js";

/**
 * How a record is kept in its Redis hash. Each record field is one hash field holding that
 * field's JSON; each key of the session data is its own hash field `d:<key>` holding the
 * value's JSON. Scripts therefore change single data keys and compare states and numbers
 * without decoding or re-encoding JSON in Lua (whose encoder rounds numbers to 14 digits and
 * cannot tell `[]` from `{}`).
 */

/** The format marker field; a hash without `fmt = 1` was not written by this store. */
export const FORMAT_FIELD = "fmt";
/** The hash field that names the user index holding the session (raw key, read by scripts). */
export const INDEX_FIELD = "ix";
/** The prefix of data fields. */
export const DATA_PREFIX = "d:";

const FORMAT_VERSION = "1";

// The record fields, each stored as JSON under its own name.
const RECORD_FIELDS = [
  "id",
  "secretHash",
  "userId",
  "createdAt",
  "lastSeenAt",
  "idleExpiresAt",
  "absoluteExpiresAt",
  "idleTimeoutMs",
  "authenticatedAt",
  "persistent",
  "client",
  "version",
  "state",
  "successorId",
  "graceUntil",
  "expiresAt",
] as const satisfies readonly (keyof SessionRecord)[];

/**
 * The hash fields of a record, as `[field, value, field, value, …]` for HSET.
 * @param indexKey the user-index key to record, or `null` for an anonymous session.
 */
export function encodeRecord(record: SessionRecord, indexKey: string | null): string[] {
  const fields = [FORMAT_FIELD, FORMAT_VERSION];

  for (const name of RECORD_FIELDS) fields.push(name, JSON.stringify(record[name]));
  if (indexKey !== null) fields.push(INDEX_FIELD, indexKey);
  fields.push(...encodeData(record.data));
  return fields;
}

/** The data fields of `data`, as `[field, value, …]`. */
export function encodeData(data: SessionData): string[] {
  const fields: string[] = [];

  for (const [key, value] of Object.entries(data))
    fields.push(dataField(key), JSON.stringify(value));
  return fields;
}

/** The hash field of one data key. JSON keeps any key lossless, lone surrogates included. */
export function dataField(key: string): string {
  return DATA_PREFIX + JSON.stringify(key);
}

/** The size in bytes of a list of fields and values, as Redis counts it (UTF-8). */
export function encodedBytes(fields: readonly string[]): number {
  let bytes = 0;

  for (const text of fields) bytes += utf8Length(text);
  return bytes;
}

/**
 * Rebuilds a record from its hash fields and checks it with `checkStoredRecord`.
 * @returns the record, or a short description of what is wrong (never the stored bytes).
 */
export function decodeRecord(
  hash: ReadonlyMap<string, string>,
  id: string,
): SessionRecord | string {
  if (hash.get(FORMAT_FIELD) !== FORMAT_VERSION) return "unknown format";

  const candidate: Record<string, unknown> = {};
  for (const name of RECORD_FIELDS) {
    const text = hash.get(name);
    if (text === undefined) return `missing ${name}`;
    const value = parseJson(text);
    if (value === undefined) return `bad JSON in ${name}`;
    // The scripts compare stored text (`"active"`, version numbers) without decoding it, so a
    // spelling the store never writes (` "active"`, `1e0`) would read one way here and another
    // there: a record that validates but cannot be revoked. Only the store's own spelling counts.
    if (JSON.stringify(value) !== text) return `non-canonical JSON in ${name}`;
    candidate[name] = value;
  }

  const data: [string, JsonValue][] = [];
  for (const [field, text] of hash) {
    if (!field.startsWith(DATA_PREFIX)) continue;
    const key = parseJson(field.slice(DATA_PREFIX.length));
    const value = parseJson(text);
    if (typeof key !== "string" || value === undefined) return "bad JSON in data";
    data.push([key, value]);
  }
  // fromEntries defines own properties, so a data key named `__proto__` stays a plain key.
  candidate.data = Object.fromEntries(data);

  const record = checkStoredRecord(candidate);
  if (typeof record === "string") return record;
  if (record.id !== id) return "id does not match its key";
  return record;
}

function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

function utf8Length(text: string): number {
  let bytes = 0;

  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length) {
      // A surrogate pair is one code point of four bytes; a lone surrogate becomes U+FFFD.
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
