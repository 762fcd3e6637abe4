import type { SessionRecord } from "./record.js";
import type { Session, SessionSummary } from "./result.js";
import { idPrefix } from "./emit.js";

/**
 * A frozen snapshot of a record for the app. The record must be the caller's own: stores hand
 * out copies (a contract clause), so its data is not copied again here, which keeps a validate
 * free of a deep copy.
 */
export function toSession(record: SessionRecord): Session {
  return Object.freeze({
    id: record.id,
    userId: record.userId,
    data: Object.freeze(record.data),
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    idleExpiresAt: record.idleExpiresAt,
    absoluteExpiresAt: record.absoluteExpiresAt,
    authenticatedAt: record.authenticatedAt,
    persistent: record.persistent,
    client: record.client === null ? null : Object.freeze({ ...record.client }),
    version: record.version,
  });
}

/** A device-list line for a record. */
export function toSummary(record: SessionRecord): SessionSummary {
  return Object.freeze({
    id: record.id,
    idPrefix: idPrefix(record.id),
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    idleExpiresAt: record.idleExpiresAt,
    absoluteExpiresAt: record.absoluteExpiresAt,
    ip: record.client?.ip ?? null,
    userAgent: record.client?.userAgent ?? null,
  });
}
