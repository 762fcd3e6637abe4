import { findSessionCookieValues } from "../cookie/parse.js";
import { serializeClearingCookie, serializeSessionCookie } from "../cookie/serialize.js";
import { normaliseUserAgent } from "./binding.js";
import { checkGraceMs, resolveManagerConfig, type ManagerConfig } from "./config.js";
import { checkData, mergePatch } from "./data.js";
import { emitEvent, idPrefix } from "./emit.js";
import { checkKnownKeys } from "./known-keys.js";
import { ConfigError, SessionConflictError, SessionRevokedError, StoreError } from "./errors.js";
import type { SessionEvent } from "./events.js";
import type {
  CreateSessionInput,
  LoginInput,
  RequestContext,
  RotateOptions,
  SessionManager,
  SessionPatch,
} from "./manager-api.js";
import type { SessionManagerOptions, Timeouts } from "./options.js";
import type { ClientFacts, SessionData, SessionRecord } from "./record.js";
import { checkedRead, readsAreChecked, recordProblem } from "./record-check.js";
import type { IssuedSession, Session, SessionSummary, ValidateResult } from "./result.js";
import { toSession, toSummary } from "./session-view.js";
import { callStore } from "./store-call.js";
import { resolveTimeouts } from "./timeouts.js";
import { generateToken, hashSecretForStorage } from "./token.js";
import { cookieMaxAgeSeconds, noSession, storeExpiresAt, validateToken } from "./validate.js";

const CREATE_ATTEMPTS = 3;
const ROTATE_ATTEMPTS = 3;
// Rotations chain old → new; a revoke follows at most this many links to the live session.
const MAX_SUCCESSOR_HOPS = 8;

/**
 * The session lifecycle over a store and a codec. See {@link SessionManager} for each method's
 * contract. Built by `createSessionManager()`, which also supplies the default store and codec.
 */
export class LatchkeySessionManager implements SessionManager {
  readonly #config: ManagerConfig;

  /** @throws ConfigError when an option is invalid. */
  constructor(options: SessionManagerOptions) {
    this.#config = resolveManagerConfig(options);
    if (this.#config.cookie.insecureDevMode) {
      this.notify({
        type: "cookie.insecure-transport",
        at: this.#config.now(),
        detail: "insecureDevMode is on: the session cookie may lack Secure or HttpOnly",
      });
    }
  }

  get cookieName(): string {
    return this.#config.cookie.name;
  }

  now(): number {
    return this.#config.now();
  }

  notify(event: SessionEvent): void {
    emitEvent(this.#config.onEvent, event);
  }

  clearCookie(): string {
    return serializeClearingCookie(this.#config.cookie);
  }

  async validateCookieHeader(
    header: string | readonly string[] | null | undefined,
    context: RequestContext = {},
  ): Promise<ValidateResult> {
    const values = findSessionCookieValues(header, this.#config.cookie.name);
    if (values.length === 0) return noSession(this.#config, "missing", null);

    // Malformed duplicates are ignored; two different well-formed tokens are ambiguous, since
    // the server cannot tell which one the browser meant (one may be planted).
    const tokens = new Map<string, boolean>();
    let failure: "malformed" | "bad-signature" = "malformed";
    for (const value of values) {
      const decoded = this.#config.codec.decode(value);
      if (decoded.ok)
        tokens.set(decoded.token, (tokens.get(decoded.token) ?? false) || decoded.stale);
      else if (decoded.reason === "bad-signature") failure = "bad-signature";
    }

    if (tokens.size === 0) return noSession(this.#config, failure, null);
    if (tokens.size > 1) return noSession(this.#config, "ambiguous", null);
    const [token, stale] = [...tokens][0] as [string, boolean];
    return validateToken(this.#config, token, stale, context);
  }

  async validateCookieValue(value: unknown, context: RequestContext = {}): Promise<ValidateResult> {
    if (value === undefined || value === null) return noSession(this.#config, "missing", null);

    const decoded = this.#config.codec.decode(value);
    if (!decoded.ok) return noSession(this.#config, decoded.reason, null);
    return validateToken(this.#config, decoded.token, decoded.stale, context);
  }

  async create(input: CreateSessionInput = {}): Promise<IssuedSession> {
    const config = this.#config;
    const timeouts = sessionTimeouts(config, input.timeouts);
    const data = checkData(input.data ?? {}, config.maxDataBytes);
    const userId = checkUserId(input.userId ?? null);
    if (userId !== null) await this.#enforceSessionCap(userId, "before");

    const now = config.now();
    const idleExpiresAt = Math.min(now + timeouts.idleTimeoutMs, now + timeouts.absoluteTimeoutMs);
    const base = {
      userId,
      data,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt,
      absoluteExpiresAt: now + timeouts.absoluteTimeoutMs,
      idleTimeoutMs: timeouts.idleTimeoutMs,
      authenticatedAt: userId === null ? null : now,
      persistent: input.persistent ?? config.persistentCookie,
      client: normaliseClient(input.client),
      version: 1,
      state: "active" as const,
      successorId: null,
      graceUntil: null,
      expiresAt: storeExpiresAt(idleExpiresAt),
    };

    for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      const { id, secret, token } = generateToken(config.random);
      const record: SessionRecord = { id, secretHash: hashSecretForStorage(secret), ...base };
      // The cookie is built before the write, so a cookie that cannot be sent leaves no record.
      const setCookie = this.#sessionCookie(token, record, now);

      const outcome = await callStore("create", config.storeTimeoutMs, () =>
        config.store.create(record),
      );
      if (outcome === "exists") continue;

      this.notify({ type: "session.created", at: now, sessionIdPrefix: idPrefix(id), userId });
      // Logins that ran at once all passed the check above before any of them wrote; trimming
      // again after the write bounds the count once they have finished (RES-04).
      if (userId !== null) await this.#enforceSessionCap(userId, "after");
      return { session: toSession(record), token, setCookie };
    }
    throw new StoreError("store-reply", "create", "the store reported every fresh id as taken");
  }

  async rotate(session: Session, options: RotateOptions = {}): Promise<IssuedSession> {
    const config = this.#config;
    const graceMs = checkGraceMs("rotate.graceMs", options.graceMs ?? config.rotationGraceMs);

    for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
      const current = await this.#readActive(session.id);
      const now = config.now();
      const { id, secret, token } = generateToken(config.random);
      const idleExpiresAt = Math.min(now + current.idleTimeoutMs, current.absoluteExpiresAt);
      const successor: SessionRecord = {
        ...current,
        id,
        secretHash: hashSecretForStorage(secret),
        lastSeenAt: now,
        idleExpiresAt,
        expiresAt: storeExpiresAt(idleExpiresAt),
        version: 1,
        successorId: null,
        graceUntil: null,
      };
      const setCookie = this.#sessionCookie(token, successor, now);
      const supersede = {
        graceUntil: graceMs > 0 ? now + graceMs : null,
        expiresAt: Math.min(current.absoluteExpiresAt, now + graceMs + config.revokedRetentionMs),
      };

      const outcome = await callStore("supersede", config.storeTimeoutMs, () =>
        config.store.supersede(current.id, current.version, successor, supersede),
      );
      if (!outcome.ok && outcome.reason === "conflict") continue;
      if (!outcome.ok) throw new SessionRevokedError();

      this.notify({
        type: "session.rotated",
        at: now,
        sessionIdPrefix: idPrefix(current.id),
        successorIdPrefix: idPrefix(id),
        graceMs,
      });
      return { session: toSession(successor), token, setCookie };
    }
    throw new SessionConflictError("the session kept changing during rotation; try again");
  }

  async login(current: Session | null, input: LoginInput): Promise<IssuedSession> {
    const carried: SessionData = input.carryData && current !== null ? { ...current.data } : {};

    // The old session dies before the new one exists: a planted or pre-login token must never
    // become, or stay next to, an authenticated session (fixation).
    if (current !== null) await this.revoke(current);
    return this.create({ ...input, data: { ...carried, ...input.data } });
  }

  async revoke(session: Session | string): Promise<string> {
    const config = this.#config;
    const id = typeof session === "string" ? session : session.id;
    const now = config.now();

    // A rotation may have replaced the session since the caller read it. Revoking only the old
    // record would leave the successor alive (and its cookie on its way to the browser), so the
    // chain of successors is followed and revoked too.
    let target: string | null = id;
    for (let hop = 0; target !== null && hop < MAX_SUCCESSOR_HOPS; hop++) {
      const current: string = target;
      const revoked = await callStore("markRevoked", config.storeTimeoutMs, () =>
        config.store.markRevoked(current, now + config.revokedRetentionMs),
      );
      if (revoked) {
        this.notify({
          type: "session.revoked",
          at: now,
          sessionIdPrefix: idPrefix(current),
          userId: typeof session === "string" ? null : session.userId,
          count: 1,
          cause: "revoke",
        });
        break;
      }
      target = await this.#successorOf(current);
    }
    return this.clearCookie();
  }

  // The successor of a superseded record, or null when the record is anything else.
  async #successorOf(id: string): Promise<string | null> {
    const config = this.#config;
    const answer = await callStore("get", config.storeTimeoutMs, () => config.store.get(id));
    const record = checkedRead(answer, id, config.store);
    if (record === null || "corrupt" in record || record.id !== id) return null;
    return record.state === "superseded" ? record.successorId : null;
  }

  async revokeAllForUser(
    userId: string,
    options: { except?: Session | string } = {},
  ): Promise<number> {
    const config = this.#config;
    const checkedId = requireUserId(userId);
    const except = options.except;
    const exceptId = except === undefined ? null : typeof except === "string" ? except : except.id;
    const now = config.now();

    const count = await callStore("markRevokedByUser", config.storeTimeoutMs, () =>
      config.store.markRevokedByUser(checkedId, now + config.revokedRetentionMs, exceptId),
    );
    this.notify({
      type: "session.revoked",
      at: now,
      sessionIdPrefix: null,
      userId,
      count,
      cause: "revoke-user",
    });
    return count;
  }

  async listForUser(userId: string): Promise<SessionSummary[]> {
    const config = this.#config;
    requireUserId(userId);
    const records: unknown = await callStore("listByUser", config.storeTimeoutMs, () =>
      config.store.listByUser(userId),
    );
    if (!Array.isArray(records)) {
      throw new StoreError("store-reply", "listByUser", "the store did not answer with a list");
    }
    const now = config.now();

    // Each record is checked as on validate; one that is not well-formed is left out. Ties in
    // the order go by id, so that every caller sees the same order.
    const checked = readsAreChecked(config.store);
    return (records as unknown[])
      .filter((r): r is SessionRecord => checked || recordProblem(r) === null)
      .filter((r) => r.userId === userId && r.state === "active")
      .filter((r) => now < r.idleExpiresAt && now < r.absoluteExpiresAt)
      .sort((a, b) => b.lastSeenAt - a.lastSeenAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map(toSummary);
  }

  async update(session: Session, patch: SessionPatch): Promise<Session> {
    const config = this.#config;
    const merged = mergePatch(session.data, patch, config.maxDataBytes);

    const outcome = await callStore("writeData", config.storeTimeoutMs, () =>
      config.store.writeData(session.id, { kind: "patch", ...merged.patch }, null),
    );
    if (!outcome.ok) throw new SessionRevokedError();
    return Object.freeze({
      ...session,
      data: Object.freeze(merged.data),
      version: outcome.version,
    });
  }

  async replaceData(session: Session, data: SessionData): Promise<Session> {
    const config = this.#config;
    const checked = checkData(data, config.maxDataBytes);

    const outcome = await callStore("writeData", config.storeTimeoutMs, () =>
      config.store.writeData(session.id, { kind: "replace", data: checked }, session.version),
    );
    if (!outcome.ok && outcome.reason === "conflict") throw new SessionConflictError();
    if (!outcome.ok) throw new SessionRevokedError();
    return Object.freeze({
      ...session,
      data: Object.freeze(structuredClone(checked)),
      version: outcome.version,
    });
  }

  #sessionCookie(token: string, record: SessionRecord, now: number): string {
    const maxAge = record.persistent ? cookieMaxAgeSeconds(record, now) : null;
    return serializeSessionCookie(this.#config.cookie, this.#config.codec.encode(token), maxAge);
  }

  async #readActive(id: string): Promise<SessionRecord> {
    const config = this.#config;
    const answer = await callStore("get", config.storeTimeoutMs, () => config.store.get(id));
    const record = checkedRead(answer, id, config.store);
    const now = config.now();

    const active =
      record !== null &&
      !("corrupt" in record) &&
      record.id === id &&
      record.state === "active" &&
      now < record.idleExpiresAt &&
      now < record.absoluteExpiresAt;
    if (!active) throw new SessionRevokedError();
    return record;
  }

  // At the cap, the least recently used sessions are revoked (documented policy, RES-04): a
  // user is never locked out by forgotten devices, and the count stays bounded. Before a create
  // it makes room for one; after it, it keeps `cap`. The listing's order is total (ties go by
  // id), so concurrent logins agree on which sessions to keep.
  async #enforceSessionCap(userId: string, when: "before" | "after"): Promise<void> {
    const cap = this.#config.maxSessionsPerUser;
    if (cap === null) return;

    const live = await this.listForUser(userId);
    const excess = live.slice(when === "before" ? cap - 1 : cap);
    for (const summary of excess) {
      const now = this.#config.now();
      const revoked = await callStore("markRevoked", this.#config.storeTimeoutMs, () =>
        this.#config.store.markRevoked(summary.id, now + this.#config.revokedRetentionMs),
      );
      if (revoked) {
        this.notify({
          type: "session.revoked",
          at: now,
          sessionIdPrefix: summary.idPrefix,
          userId,
          count: 1,
          cause: "session-cap",
        });
      }
    }
  }
}

// A preset name stands alone; an object overrides the manager's timeouts field by field, and an
// idle timeout left out is capped by a shorter absolute one.
function sessionTimeouts(
  config: ManagerConfig,
  requested: CreateSessionInput["timeouts"] | null,
): Timeouts {
  if (requested === undefined || requested === null) {
    return { idleTimeoutMs: config.idleTimeoutMs, absoluteTimeoutMs: config.absoluteTimeoutMs };
  }
  if (typeof requested === "string") return resolveTimeouts("create.timeouts.", requested, {});
  if (typeof requested !== "object") {
    throw new ConfigError("create.timeouts", "must be a preset name or an object of timeouts");
  }
  checkKnownKeys("create.timeouts", requested, ["idleTimeoutMs", "absoluteTimeoutMs"]);

  const absoluteTimeoutMs = requested.absoluteTimeoutMs ?? config.absoluteTimeoutMs;
  return resolveTimeouts("create.timeouts.", undefined, {
    absoluteTimeoutMs,
    idleTimeoutMs: requested.idleTimeoutMs ?? Math.min(config.idleTimeoutMs, absoluteTimeoutMs),
  });
}

// What every store keeps exactly, so that a login never passes here and then fails at the
// store (the SQL stores' VARBINARY(255), PostgreSQL's text refusing NUL), or is kept under
// another spelling: a lone surrogate becomes U+FFFD in UTF-8, and two users would share an id.
const MAX_USER_ID_BYTES = 255;
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8 = new TextEncoder();

function checkUserId(userId: unknown): string | null {
  if (userId === null) return null;
  if (
    typeof userId !== "string" ||
    userId.length === 0 ||
    userId.length > MAX_USER_ID_BYTES ||
    UNSTORABLE.test(userId) ||
    utf8.encode(userId).length > MAX_USER_ID_BYTES
  ) {
    throw new TypeError(
      "userId must be a non-empty string of at most 255 UTF-8 bytes, without NUL or lone " +
        "surrogates, or null",
    );
  }
  return userId;
}

function requireUserId(userId: unknown): string {
  const checked = checkUserId(userId);
  if (checked === null) throw new TypeError("userId must be a string, not null");
  return checked;
}

function normaliseClient(client: Partial<ClientFacts> | undefined): ClientFacts | null {
  if (client === undefined) return null;
  const ip = typeof client.ip === "string" && client.ip.length <= 64 ? client.ip : null;
  const userAgent = normaliseUserAgent(client.userAgent);
  return ip === null && userAgent === null ? null : { ip, userAgent };
}
