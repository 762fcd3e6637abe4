import { HeadersSentError } from "../../core/errors.js";
import type { SessionChangeOperation } from "../../core/events.js";
import type { LoginInput, RotateOptions, SessionManager } from "../../core/manager-api.js";
import type { ClientFacts, JsonValue, SessionData } from "../../core/record.js";
import type {
  IssuedSession,
  NoSessionReason,
  Session,
  SessionSummary,
  ValidateResult,
} from "../../core/result.js";
import type { Transport } from "./transport.js";

/** Options for {@link SessionHandle.login}; the client facts come from the request. */
export type HandleLoginOptions = Omit<LoginInput, "userId" | "client">;

/**
 * The session of one request, as the request shapes hand it to the app. Reads are synchronous
 * (the cookie was validated before the handler ran); every change writes through to the store
 * and resolves once it is committed, so a store failure rejects the call the app awaited. The
 * Set-Cookie that a change needs is sent with the response, and only for committed state: a
 * failed change leaves the client's cookie as it was.
 */
export interface SessionHandle {
  /** The live session, or `null` when the request has none. */
  readonly session: Session | null;
  /** Why the request has no session (`missing`, `expired-idle`…), or `null` when it has one. */
  readonly reason: NoSessionReason | null;
  /** The session id, or `null`. */
  readonly id: string | null;
  /** The signed-in user, or `null` (no session, or an anonymous one). */
  readonly userId: string | null;
  /** The session's data; an empty object when there is no session. */
  readonly data: Readonly<SessionData>;
  /**
   * The Set-Cookie value the response will carry for the session cookie, or `null` when nothing
   * changed. At most one per response: a later change replaces an earlier one (SER-07).
   */
  readonly setCookie: string | null;

  /** One key of the data, or `undefined`. */
  get(key: string): JsonValue | undefined;

  /**
   * Sets keys of the data, atomically per key. Without a session this creates an anonymous one
   * (an empty anonymous session is never stored: keys whose value JSON drops, such as
   * `undefined`, do not count).
   * @throws SessionRevokedError when the session was revoked meanwhile.
   * @throws SessionDataTooLargeError when the data would exceed the manager's `maxDataBytes`.
   */
  set(values: SessionData): Promise<void>;

  /** Deletes keys of the data. Without a session this does nothing. */
  delete(...keys: string[]): Promise<void>;

  /**
   * Signs `userId` in: a new session with a new id (the current one, if any, is revoked first,
   * so a planted or pre-login token dies), recording this request's IP and User-Agent.
   */
  login(userId: string, options?: HandleLoginOptions): Promise<void>;

  /** Revokes the current session and clears its cookie. Without a session this does nothing. */
  logout(): Promise<void>;

  /**
   * Issues a new token for the current session (after a change of privilege).
   * @returns `false` when there is no session to rotate.
   */
  rotate(options?: RotateOptions): Promise<boolean>;

  /**
   * Revokes one session: the current one (no argument, same as {@link SessionHandle.logout}) or
   * another session of the same user, by id.
   * @returns `false` when no such session belongs to this request's user.
   */
  revoke(sessionId?: string): Promise<boolean>;

  /**
   * Revokes every other session of the signed-in user ("sign out everywhere else").
   * @returns how many were revoked; 0 without a signed-in user.
   */
  revokeAllOthers(): Promise<number>;

  /** The signed-in user's live sessions, newest activity first; empty without a user. */
  listSessions(): Promise<SessionSummary[]>;
}

/** What a request shape knows about the request a handle belongs to. */
export interface HandleContext {
  manager: SessionManager;
  transport: Transport;
  client: ClientFacts;
  /** Called as each change starts, before it touches the store (the Node shapes hook `res`). */
  onChange?: () => void;
  /**
   * Whether the response can still carry a cookie. The Node shapes answer `false` once the
   * headers are sent; a change that needs a cookie is then refused before it writes anything.
   */
  canSendCookie?: () => boolean;
}

const EMPTY_DATA: Readonly<SessionData> = Object.freeze({});

// A brand rather than `instanceof`: a handle made by the ESM build must be recognised by the CJS
// build's writeSessionCookie, and the other way round.
const HANDLE_BRAND = Symbol.for("latchkey.request-session");

/** Whether `value` is a handle made by any loaded copy of latchkey's request shapes. */
export function isRequestSession(value: unknown): value is RequestSession {
  return typeof value === "object" && value !== null && HANDLE_BRAND in value;
}

// Whether setting `values` keeps any key once the data goes through JSON. A value JSON cannot
// hold at all is left for the manager to refuse with its own error.
function keepsAnyKey(values: SessionData): boolean {
  try {
    return JSON.stringify(values) !== "{}";
  } catch {
    return true;
  }
}

/**
 * The one implementation of {@link SessionHandle}. Changes run one after another in call order,
 * so changes the app did not await still leave a coherent session and a single cookie.
 */
export class RequestSession implements SessionHandle {
  readonly context: HandleContext;
  #session: Session | null;
  #reason: NoSessionReason | null;
  #setCookie: string | null;
  #queue: Promise<unknown> = Promise.resolve();
  #pending = 0;

  constructor(context: HandleContext, result: ValidateResult) {
    this.context = context;
    this.#session = result.ok ? result.session : null;
    this.#reason = result.ok ? null : result.reason;
    this.#setCookie = result.setCookie;
  }

  get session(): Session | null {
    return this.#session;
  }

  get reason(): NoSessionReason | null {
    return this.#reason;
  }

  get id(): string | null {
    return this.#session?.id ?? null;
  }

  get userId(): string | null {
    return this.#session?.userId ?? null;
  }

  get data(): Readonly<SessionData> {
    return this.#session?.data ?? EMPTY_DATA;
  }

  get setCookie(): string | null {
    return this.#setCookie;
  }

  /** Whether a change is still being written. */
  get busy(): boolean {
    return this.#pending > 0;
  }

  /** Resolves when every change started so far has settled; never rejects. */
  settled(): Promise<void> {
    return this.#queue.then(
      () => undefined,
      () => undefined,
    );
  }

  get(key: string): JsonValue | undefined {
    const data = this.data;
    return Object.hasOwn(data, key) ? data[key] : undefined;
  }

  set(values: SessionData): Promise<void> {
    return this.#run("set", async (manager) => {
      const current = this.#session;
      if (current !== null) {
        this.#session = await manager.update(current, { set: values });
        return;
      }

      if (!keepsAnyKey(values)) return;
      this.#needCookie("set");
      this.#issue(await manager.create({ data: values, client: this.context.client }));
    });
  }

  delete(...keys: string[]): Promise<void> {
    return this.#run("delete", async (manager) => {
      const current = this.#session;
      if (current === null || keys.length === 0) return;
      this.#session = await manager.update(current, { delete: keys });
    });
  }

  login(userId: string, options: HandleLoginOptions = {}): Promise<void> {
    return this.#run("login", async (manager) => {
      this.#needCookie("login");
      const input: LoginInput = { ...options, userId, client: this.context.client };
      this.#issue(await manager.login(this.#session, input));
    });
  }

  logout(): Promise<void> {
    return this.#run("logout", async (manager) => {
      const current = this.#session;
      if (current === null) return;
      this.#clear(await manager.revoke(current));
    });
  }

  rotate(options?: RotateOptions): Promise<boolean> {
    return this.#run("rotate", async (manager) => {
      const current = this.#session;
      if (current === null) return false;
      this.#needCookie("rotate");
      this.#issue(await manager.rotate(current, options));
      return true;
    });
  }

  revoke(sessionId?: string): Promise<boolean> {
    return this.#run("revoke", async (manager) => {
      const current = this.#session;
      if (current === null) return false;

      if (sessionId === undefined || sessionId === current.id) {
        this.#clear(await manager.revoke(current));
        return true;
      }

      // Only a session of the same user may be revoked by id; an id from anyone else's list
      // (or a guessed one) is "not found", not a way to sign other people out.
      if (current.userId === null) return false;
      const sessions = await manager.listForUser(current.userId);
      if (!sessions.some((summary) => summary.id === sessionId)) return false;
      await manager.revoke(sessionId);
      return true;
    });
  }

  revokeAllOthers(): Promise<number> {
    return this.#run("revokeAllOthers", async (manager) => {
      const current = this.#session;
      if (current === null || current.userId === null) return 0;
      return manager.revokeAllForUser(current.userId, { except: current });
    });
  }

  listSessions(): Promise<SessionSummary[]> {
    return this.#run("listSessions", async (manager) => {
      const userId = this.#session?.userId ?? null;
      return userId === null ? [] : manager.listForUser(userId);
    });
  }

  #issue(issued: IssuedSession): void {
    this.#session = issued.session;
    this.#reason = null;
    this.#setCookie = issued.setCookie;
  }

  #clear(clearing: string): void {
    this.#session = null;
    this.#reason = "revoked";
    this.#setCookie = clearing;
  }

  // Checked as the change runs, after the changes queued before it: the new cookie must still
  // be able to go out, or the client would be left holding a cookie that no longer works.
  // Revocations are not checked: a cookie of a revoked session is worthless anyway, and a
  // late logout must still end the session.
  #needCookie(operation: SessionChangeOperation): void {
    if (this.context.canSendCookie?.() === false) throw new HeadersSentError(operation);
  }

  #run<T>(
    operation: SessionChangeOperation,
    change: (manager: SessionManager) => Promise<T>,
  ): Promise<T> {
    this.context.onChange?.();
    this.#pending += 1;
    const result = this.#queue.then(
      () => change(this.context.manager),
      () => change(this.context.manager),
    );

    this.#queue = result.then(
      () => undefined,
      () => undefined,
    );
    const outcome = result.finally(() => {
      this.#pending -= 1;
    });

    // A change the app did not await must not become an unhandled rejection, or a store outage
    // would bring the process down. Every failure is reported; an app that awaits still gets it.
    const { manager } = this.context;
    outcome.catch((error: unknown) => {
      manager.notify({ type: "session.change-failed", at: manager.now(), operation, error });
    });
    return outcome;
  }
}

// On the prototype, once: a property defined on every handle would cost each request.
Object.defineProperty(RequestSession.prototype, HANDLE_BRAND, { value: true });
