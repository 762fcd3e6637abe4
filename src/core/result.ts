import type { ClientFacts, SessionData } from "./record.js";

/**
 * Why a request has no session. Client input never throws; it ends in one of these.
 * - `missing`: no session cookie was sent.
 * - `malformed`: the cookie value has the wrong length, alphabet or shape.
 * - `bad-signature`: the signed codec could not verify the value with any listed key.
 * - `ambiguous`: two different well-formed session cookies were sent.
 * - `unknown`: no record has that id.
 * - `bad-secret`: a record has that id but the secret does not match.
 * - `expired-idle` / `expired-absolute`: the record is past one of its deadlines.
 * - `revoked`: the session was revoked (logout, "sign out everywhere", binding).
 * - `superseded`: the token was rotated away and its grace period has ended.
 * - `binding-mismatch`: the request's User-Agent or IP does not match the session's binding.
 * - `corrupt`: the store holds something for that id that is not a valid record.
 */
export type NoSessionReason =
  | "missing"
  | "malformed"
  | "bad-signature"
  | "ambiguous"
  | "unknown"
  | "bad-secret"
  | "expired-idle"
  | "expired-absolute"
  | "revoked"
  | "superseded"
  | "binding-mismatch"
  | "corrupt";

/** A live session as the app sees it: a frozen snapshot, with a copy of the data. */
export interface Session {
  /** The session id (the public half of the token). Safe to show in a device list. */
  readonly id: string;
  readonly userId: string | null;
  readonly data: Readonly<SessionData>;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
  readonly authenticatedAt: number | null;
  readonly persistent: boolean;
  readonly client: ClientFacts | null;
  /** The data version this snapshot was read at. */
  readonly version: number;
}

/** The result of validating a request: a session, or "no session" with a reason. */
export type ValidateResult =
  | {
      readonly ok: true;
      readonly session: Session;
      /** Whether this validate moved the idle deadline (and wrote to the store). */
      readonly renewed: boolean;
      /** A Set-Cookie value to send (renewed persistent cookie, or a re-signed one), or `null`. */
      readonly setCookie: string | null;
    }
  | {
      readonly ok: false;
      readonly reason: NoSessionReason;
      /** A clearing Set-Cookie to send (expired, revoked or superseded cookies), or `null`. */
      readonly setCookie: string | null;
    };

/** A session just created or rotated, with the token the client must now hold. */
export interface IssuedSession {
  readonly session: Session;
  /** `<id>.<secret>`. Give it only to the client, in the cookie. */
  readonly token: string;
  /** The Set-Cookie value that carries the token. */
  readonly setCookie: string;
}

/** A line of a user's device list. */
export interface SessionSummary {
  /** The full session id, for a revoke button (the id alone cannot authenticate). */
  readonly id: string;
  /** The first 8 characters of the id, for display. */
  readonly idPrefix: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
  readonly ip: string | null;
  readonly userAgent: string | null;
}
