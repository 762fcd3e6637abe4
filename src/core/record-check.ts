import type { ClientFacts, JsonValue, SessionData, SessionRecord, SessionState } from "./record.js";

// Millisecond timestamps between 1973 and 5138. A value below this range is most likely in
// seconds (FR-27), one above it in microseconds; both mean the record is not what latchkey wrote.
const MIN_PLAUSIBLE_MS = 1e11;
const MAX_PLAUSIBLE_MS = 1e14;

const STATES: ReadonlySet<string> = new Set<SessionState>(["active", "superseded", "revoked"]);
const TOKEN_PART = /^[A-Za-z0-9_-]{16,64}$/;

/** Whether `value` is an integer millisecond timestamp in a plausible range. */
export function isPlausibleTimeMs(value: unknown): value is number {
  return (
    typeof value === "number" &&
    Number.isInteger(value) &&
    value >= MIN_PLAUSIBLE_MS &&
    value <= MAX_PLAUSIBLE_MS
  );
}

/**
 * Checks that a value read back from a store is a well-formed {@link SessionRecord} and returns
 * a clean copy of it, or a short description of the first problem found. Stores call this on
 * every read so that a record edited by hand, truncated or written by something else becomes a
 * `CorruptRecord` instead of a crash or a session.
 */
export function checkStoredRecord(value: unknown): SessionRecord | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
  const v = value as Record<string, unknown>;

  if (typeof v.id !== "string" || !TOKEN_PART.test(v.id)) return "bad id";
  if (typeof v.secretHash !== "string" || !TOKEN_PART.test(v.secretHash)) return "bad secretHash";
  if (v.userId !== null && typeof v.userId !== "string") return "bad userId";
  if (!isJsonObject(v.data)) return "bad data";
  if (typeof v.state !== "string" || !STATES.has(v.state)) return "bad state";
  if (typeof v.persistent !== "boolean") return "bad persistent";
  // Safe integers only: past 2^53 a version no longer counts up exactly, and the stores differ
  // in what larger numbers become.
  if (!Number.isSafeInteger(v.version) || (v.version as number) < 0) return "bad version";
  if (!Number.isSafeInteger(v.idleTimeoutMs) || (v.idleTimeoutMs as number) <= 0) {
    return "bad idleTimeoutMs";
  }

  for (const key of [
    "createdAt",
    "lastSeenAt",
    "idleExpiresAt",
    "absoluteExpiresAt",
    "expiresAt",
  ]) {
    if (!isPlausibleTimeMs(v[key])) return `bad ${key}`;
  }
  if (v.authenticatedAt !== null && !isPlausibleTimeMs(v.authenticatedAt)) {
    return "bad authenticatedAt";
  }
  if (v.graceUntil !== null && !isPlausibleTimeMs(v.graceUntil)) return "bad graceUntil";
  if (
    v.successorId !== null &&
    (typeof v.successorId !== "string" || !TOKEN_PART.test(v.successorId))
  ) {
    return "bad successorId";
  }

  const client = checkClient(v.client);
  if (client === undefined) return "bad client";

  return {
    id: v.id,
    secretHash: v.secretHash,
    userId: v.userId as string | null,
    data: v.data,
    createdAt: v.createdAt as number,
    lastSeenAt: v.lastSeenAt as number,
    idleExpiresAt: v.idleExpiresAt as number,
    absoluteExpiresAt: v.absoluteExpiresAt as number,
    idleTimeoutMs: v.idleTimeoutMs as number,
    authenticatedAt: v.authenticatedAt as number | null,
    persistent: v.persistent,
    client,
    version: v.version as number,
    state: v.state as SessionState,
    successorId: v.successorId as string | null,
    graceUntil: v.graceUntil as number | null,
    expiresAt: v.expiresAt as number,
  };
}

function checkClient(value: unknown): ClientFacts | null | undefined {
  if (value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) return undefined;

  const c = value as Record<string, unknown>;
  if (c.ip !== null && typeof c.ip !== "string") return undefined;
  if (c.userAgent !== null && typeof c.userAgent !== "string") return undefined;
  return { ip: c.ip as string | null, userAgent: c.userAgent as string | null };
}

function isJsonObject(value: unknown): value is SessionData {
  return typeof value === "object" && value !== null && !Array.isArray(value) && isJson(value, 0);
}

// Depth-limited so that a hostile record cannot exhaust the stack.
function isJson(value: unknown, depth: number): value is JsonValue {
  if (depth > 64) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJson(item, depth + 1));
  if (typeof value !== "object") return false;
  return Object.values(value).every((item) => isJson(item, depth + 1));
}
