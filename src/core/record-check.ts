import type { ClientFacts, JsonValue, SessionData, SessionRecord, SessionState } from "./record.js";
import type { CorruptRecord } from "./store.js";

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

// Latchkey's own stores: Redis and SQL run checkStoredRecord on every read, and the memory store
// holds only what the core wrote, in typed columns that cannot lose a field or change a type.
// What they return need not be walked again on the request path. A WeakSet, so that only
// latchkey's code can add to it; a wrapper around one of these stores is checked like any other.
const checkingStores = new WeakSet<object>();

/**
 * Marks a store whose reads are already well-formed records, for {@link checkedRead}.
 * @internal
 */
export function trustStoreReads(store: object): void {
  checkingStores.add(store);
}

/** Whether `store` is one of latchkey's own, whose reads are already checked. */
export function readsAreChecked(store: object): boolean {
  return checkingStores.has(store);
}

/**
 * Checks that a value read back from a store is a well-formed {@link SessionRecord} and returns
 * a clean copy of it, or a short description of the first problem found. Stores call this on
 * every read so that a record edited by hand, truncated or written by something else becomes a
 * `CorruptRecord` instead of a crash or a session.
 */
export function checkStoredRecord(value: unknown): SessionRecord | string {
  const problem = recordProblem(value);
  if (problem !== null) return problem;

  const v = value as SessionRecord;
  return {
    id: v.id,
    secretHash: v.secretHash,
    userId: v.userId,
    data: v.data,
    createdAt: v.createdAt,
    lastSeenAt: v.lastSeenAt,
    idleExpiresAt: v.idleExpiresAt,
    absoluteExpiresAt: v.absoluteExpiresAt,
    idleTimeoutMs: v.idleTimeoutMs,
    authenticatedAt: v.authenticatedAt,
    persistent: v.persistent,
    client: v.client === null ? null : { ip: v.client.ip, userAgent: v.client.userAgent },
    version: v.version,
    state: v.state,
    successorId: v.successorId,
    graceUntil: v.graceUntil,
    expiresAt: v.expiresAt,
  };
}

/**
 * What a store's `get` answered, as the core may use it: `null`, a `CorruptRecord` (the store's
 * own, or one made here for a value that is not a well-formed record), or the record. The core
 * trusts no store, the app's own included: a record with a deadline missing or a state it does
 * not know must not validate.
 */
export function checkedRead(
  value: unknown,
  id: string,
  store: object,
): SessionRecord | CorruptRecord | null {
  if (value === null) return null;
  if (readsAreChecked(store)) return value as SessionRecord | CorruptRecord;
  if (typeof value === "object" && (value as { corrupt?: unknown }).corrupt === true) {
    const { detail } = value as { detail?: unknown };
    return { corrupt: true, id, detail: typeof detail === "string" ? detail : "corrupt" };
  }

  const problem = recordProblem(value);
  return problem === null ? (value as SessionRecord) : { corrupt: true, id, detail: problem };
}

/**
 * The first problem that keeps `value` from being a well-formed {@link SessionRecord}, or
 * `null`. Reads without copying, so the core can check every record on the request path.
 */
export function recordProblem(value: unknown): string | null {
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

  for (const key of TIME_FIELDS) {
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
  return isClient(v.client) ? null : "bad client";
}

const TIME_FIELDS = [
  "createdAt",
  "lastSeenAt",
  "idleExpiresAt",
  "absoluteExpiresAt",
  "expiresAt",
] as const;

function isClient(value: unknown): value is ClientFacts | null {
  if (value === null) return true;
  if (typeof value !== "object" || Array.isArray(value)) return false;

  const c = value as Record<string, unknown>;
  return (
    (c.ip === null || typeof c.ip === "string") &&
    (c.userAgent === null || typeof c.userAgent === "string")
  );
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
