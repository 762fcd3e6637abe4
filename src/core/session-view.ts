import type { SessionRecord } from "./record.js";
import type { Session, SessionSummary } from "./result.js";
import { idPrefix } from "./emit.js";

/** A frozen snapshot of a record for the app, with its own copy of the data. */
export function toSession(record: SessionRecord): Session {
  return Object.freeze({
    id: record.id,
    userId: record.userId,
    data: Object.freeze(structuredClone(record.data)),
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
