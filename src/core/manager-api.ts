import type { SessionEvent } from "./events.js";
import type { ClientFacts, SessionData } from "./record.js";
import type { TimeoutPresetName, Timeouts } from "./options.js";
import type { IssuedSession, Session, SessionSummary, ValidateResult } from "./result.js";

/** What to create a session with. */
export interface CreateSessionInput {
  /**
   * The signed-in user, or `null`/absent for an anonymous session. At most 255 UTF-8 bytes,
   * without NUL or lone surrogates (what every store keeps exactly); anything else throws a
   * `TypeError`.
   */
  userId?: string | null;
  /** Initial data. @default {} */
  data?: SessionData;
  /** Client facts to record (for binding and the device list). */
  client?: Partial<ClientFacts>;
  /** Per-session timeouts: a preset name or explicit values (remember-me, a password reset). */
  timeouts?: TimeoutPresetName | Partial<Timeouts>;
  /** Whether this session's cookie carries a Max-Age. @default the manager's `persistentCookie` */
  persistent?: boolean;
}

/** What a login carries over from the session it replaces. */
export interface LoginInput extends CreateSessionInput {
  userId: string;
  /** Keep the previous session's data (merged under `data`). @default false */
  carryData?: boolean;
}

/** Facts about the current request, for binding checks. */
export interface RequestContext {
  ip?: string | null;
  userAgent?: string | null;
}

/** Per-call options for a rotation. */
export interface RotateOptions {
  /** How long the old token still leads to the new session. @default the manager's grace */
  graceMs?: number;
}

/** A per-key change to a session's data. */
export interface SessionPatch {
  set?: SessionData;
  delete?: string[];
}

/**
 * The session manager: the whole session lifecycle, independent of store, codec and request
 * shape. Build it with `createSessionManager()`. Client input never throws (it is "no session"
 * with a reason); a store fault throws a `StoreError`.
 */
export interface SessionManager {
  /** The configured cookie name. */
  readonly cookieName: string;

  /** Creates a session with a fresh token; the id never comes from the client. */
  create(input?: CreateSessionInput): Promise<IssuedSession>;

  /**
   * Validates the session cookie in one or more raw `Cookie` header values. Renews the session
   * when the renewal interval has passed since the last write.
   */
  validateCookieHeader(
    header: string | readonly string[] | null | undefined,
    context?: RequestContext,
  ): Promise<ValidateResult>;

  /** Validates a cookie value as the codec produced it (not a whole header). */
  validateCookieValue(value: unknown, context?: RequestContext): Promise<ValidateResult>;

  /**
   * Issues a new token for the same session and retires the old one (at once, or after the
   * grace period). Deadlines are inherited; the absolute deadline never moves.
   * @throws SessionRevokedError when the session was revoked or rotated meanwhile.
   */
  rotate(session: Session, options?: RotateOptions): Promise<IssuedSession>;

  /**
   * Signs a user in: a new session with a new id and fresh deadlines, and the `current` one (if
   * any) revoked before this resolves, so a planted or pre-login token dies (fixation).
   */
  login(current: Session | null, input: LoginInput): Promise<IssuedSession>;

  /** Revokes one session. @returns the clearing Set-Cookie value, for the current request. */
  revoke(session: Session | string): Promise<string>;

  /**
   * Revokes every session of a user, optionally except one. @returns how many were revoked.
   * @throws TypeError for a user id no session can have (see {@link CreateSessionInput.userId}).
   */
  revokeAllForUser(userId: string, options?: { except?: Session | string }): Promise<number>;

  /**
   * A user's live sessions, newest activity first, for a "your devices" page.
   * @throws TypeError for a user id no session can have (see {@link CreateSessionInput.userId}).
   */
  listForUser(userId: string): Promise<SessionSummary[]>;

  /**
   * Sets and deletes keys of the session's data atomically per key: concurrent updates to
   * different keys both keep their change.
   * @throws SessionRevokedError when the session is no longer active.
   * @throws SessionDataTooLargeError when the result would exceed `maxDataBytes`.
   */
  update(session: Session, patch: SessionPatch): Promise<Session>;

  /**
   * Replaces the whole data object, only if nobody wrote it since `session` was read.
   * @throws SessionConflictError when the stored version differs.
   */
  replaceData(session: Session, data: SessionData): Promise<Session>;

  /** A Set-Cookie value that clears the session cookie (same name, path and domain). */
  clearCookie(): string;

  /**
   * Passes an event to the app's `onEvent` handler, as the manager's own events are. Request
   * adapters use it (for example for `cookie.insecure-transport`); a throwing handler is caught.
   */
  notify(event: SessionEvent): void;

  /** The manager's clock, in milliseconds since the epoch (the injected one, if any). */
  now(): number;
}
