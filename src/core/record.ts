/**
 * The stored shape of a session, shared by the core and every store.
 *
 * A store keeps these fields and gives them back unchanged; it makes no policy decision from
 * them except `expiresAt`, which tells it when the record may be dropped (native TTL, sweep or
 * cleanup). Every time is a whole number of milliseconds since the Unix epoch.
 */

/** A JSON value, as kept in a session's data. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The app's data in a session: a JSON object. */
export type SessionData = { [key: string]: JsonValue };

/** Facts about the client that created the session, for binding and for a device list. */
export interface ClientFacts {
  /** The client's IP address as the app saw it (after its own proxy handling). */
  ip: string | null;
  /** The `User-Agent` request header, cut to 512 characters. */
  userAgent: string | null;
}

/**
 * Where a record is in its life.
 * - `active`: the token validates.
 * - `superseded`: a rotation replaced it; it leads to `successorId` until `graceUntil`.
 * - `revoked`: a tombstone, kept until `expiresAt` so that a late write cannot revive it.
 */
export type SessionState = "active" | "superseded" | "revoked";

/** A session as a store keeps it. */
export interface SessionRecord {
  /** The public half of the token: 22 base64url characters (128 random bits). */
  id: string;
  /** SHA-256 of the secret half of the token, base64url without padding. Never the secret. */
  secretHash: string;
  /** The user the session belongs to, or `null` for an anonymous session. */
  userId: string | null;
  /** The app's data. */
  data: SessionData;
  /** When the session was first created (kept across rotations). */
  createdAt: number;
  /** When a request last renewed the session (written at most once per renewal interval). */
  lastSeenAt: number;
  /** When the session expires unless it is renewed: `lastSeenAt + idleTimeoutMs`, capped. */
  idleExpiresAt: number;
  /** When the session expires however active it is (kept across rotations). */
  absoluteExpiresAt: number;
  /** The idle timeout this session was created with, in milliseconds. */
  idleTimeoutMs: number;
  /** When the user last authenticated in this session, or `null` for an anonymous one. */
  authenticatedAt: number | null;
  /** Whether the cookie carries a Max-Age (persistent) or lives for the browser session. */
  persistent: boolean;
  /** Client facts recorded at creation, or `null` when the app gave none. */
  client: ClientFacts | null;
  /** Raised by every data write; a whole-record write names the version it read. */
  version: number;
  /** See {@link SessionState}. */
  state: SessionState;
  /** For a superseded record: the id of the session that replaced it. */
  successorId: string | null;
  /** For a superseded record: until when its token still leads to the successor. */
  graceUntil: number | null;
  /**
   * When the store may drop the record. For an active record this is the earlier deadline plus a
   * minute (so it can be a minute past `absoluteExpiresAt`), so that a validate just past a
   * deadline still finds the record and can answer "expired" (and clear the cookie) instead of
   * "unknown". For a tombstone it is the end of the tombstone window.
   */
  expiresAt: number;
}

/** The parts of a record that a renewal changes. */
export interface RecordTouch {
  lastSeenAt: number;
  idleExpiresAt: number;
  expiresAt: number;
  /**
   * The `lastSeenAt` the renewal was computed from. When given, the store writes only while the
   * stored value still equals it, so of several requests racing to renew one session, one
   * writes and the others change nothing (and still get `true`).
   */
  previousLastSeenAt?: number;
}

/** Per-key changes to a session's data: keys to set, then keys to delete. */
export interface DataPatch {
  set: SessionData;
  delete: string[];
}
