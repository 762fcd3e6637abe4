import type { JsonValue, SessionData, SessionRecord } from "../../core/record.js";

/**
 * Copies of records and session data. The memory store keeps structured values and hands out
 * copies, so no caller can change what is stored through a reference. Session data is JSON, so a
 * JSON-aware copy suffices and is faster than `structuredClone` for the small objects sessions
 * hold.
 */

/** A deep copy of a record, always built with the same property order (one object shape). */
export function copyRecord(record: SessionRecord): SessionRecord {
  const client = record.client;

  return {
    id: record.id,
    secretHash: record.secretHash,
    userId: record.userId,
    data: copyData(record.data),
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    idleExpiresAt: record.idleExpiresAt,
    absoluteExpiresAt: record.absoluteExpiresAt,
    idleTimeoutMs: record.idleTimeoutMs,
    authenticatedAt: record.authenticatedAt,
    persistent: record.persistent,
    client: client === null ? null : { ip: client.ip, userAgent: client.userAgent },
    version: record.version,
    state: record.state,
    successorId: record.successorId,
    graceUntil: record.graceUntil,
    expiresAt: record.expiresAt,
  };
}

/** A deep copy of session data. */
export function copyData(data: SessionData): SessionData {
  const copy: SessionData = {};
  for (const key of Object.keys(data)) setKey(copy, key, copyJson(data[key] as JsonValue));
  return copy;
}

/**
 * Sets an own property, including one named `__proto__` (which `JSON.parse` creates as an own
 * key, but plain assignment would turn into a prototype change and lose).
 */
export function setKey(target: SessionData, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    return;
  }
  target[key] = value;
}

/** A deep copy of one JSON value. */
export function copyJson(value: JsonValue): JsonValue {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  return copyData(value);
}
