import { serializeClearingCookie, serializeSessionCookie } from "../cookie/serialize.js";
import { checkBinding } from "./binding.js";
import type { ManagerConfig } from "./config.js";
import { emitEvent, idPrefix } from "./emit.js";
import { checkedRead } from "./record-check.js";
import type { RequestContext } from "./manager-api.js";
import type { SessionRecord } from "./record.js";
import type { NoSessionReason, ValidateResult } from "./result.js";
import { toSession } from "./session-view.js";
import { callStore } from "./store-call.js";
import { parseToken, secretMatches } from "./token.js";

// Reasons after which the client's cookie can never work again, so the response clears it.
// Other failures leave the cookie alone: an unrelated bad cookie must not log anybody out.
// A superseded token is not cleared either: its client has been or is being sent the successor's
// cookie, and a clearing cookie that arrives later would delete that one.
const CLEARING_REASONS: ReadonlySet<NoSessionReason> = new Set<NoSessionReason>([
  "expired-idle",
  "expired-absolute",
  "revoked",
]);

// How long past its deadline a record is kept, so that a late request is told "expired" and has
// its cookie cleared rather than being told "unknown".
const EXPIRED_RECORD_SLACK_MS = 60_000;

/** When a store may drop an active record whose earlier deadline is `deadline`. */
export function storeExpiresAt(deadline: number): number {
  return deadline + EXPIRED_RECORD_SLACK_MS;
}

/**
 * The Max-Age, in whole seconds, for a persistent cookie of `record` at `now`: rounded down, so
 * the cookie does not outlive the session, but at least 1 while the session lives, because
 * `Max-Age=0` would delete the cookie of a session that is still valid (sub-second timeouts).
 */
export function cookieMaxAgeSeconds(record: SessionRecord, now: number): number {
  const remainingMs = Math.min(record.idleExpiresAt, record.absoluteExpiresAt) - now;
  if (remainingMs <= 0) return 0;
  return Math.max(1, Math.floor(remainingMs / 1000));
}

/** Builds a "no session" result, reporting it as a `session.rejected` event. */
export function noSession(
  config: ManagerConfig,
  reason: NoSessionReason,
  sessionId: string | null,
): ValidateResult {
  if (reason !== "missing") {
    emitEvent(config.onEvent, {
      type: "session.rejected",
      at: config.now(),
      sessionIdPrefix: sessionId === null ? null : idPrefix(sessionId),
      reason,
    });
  }
  const setCookie = CLEARING_REASONS.has(reason) ? serializeClearingCookie(config.cookie) : null;
  return { ok: false, reason, setCookie };
}

/**
 * Validates a decoded token: one store read, the secret check, state, deadlines and binding, then
 * a renewal write only when the renewal interval has passed since the last one.
 * @param stale whether the codec verified the cookie with an older key (re-send it).
 */
export async function validateToken(
  config: ManagerConfig,
  token: string,
  stale: boolean,
  context: RequestContext,
  retried = false,
): Promise<ValidateResult> {
  const parts = parseToken(token);
  if (parts === null) return noSession(config, "malformed", null);

  const answer = await callStore("get", config.storeTimeoutMs, () => config.store.get(parts.id));
  const stored = checkedRead(answer, parts.id, config.store);
  const now = config.now();

  if (stored !== null && "corrupt" in stored) {
    emitEvent(config.onEvent, {
      type: "store.corrupt-record",
      at: now,
      sessionIdPrefix: idPrefix(parts.id),
      detail: stored.detail,
    });
    await callStore("delete", config.storeTimeoutMs, () => config.store.delete(parts.id));
    return noSession(config, "corrupt", parts.id);
  }

  // The core trusts no store: a record under another id counts as no record. The secret is
  // checked before anything about the record is disclosed, with the same work either way.
  const record = stored !== null && stored.id === parts.id ? stored : null;
  if (!secretMatches(parts.secret, record?.secretHash ?? null) || record === null) {
    return noSession(config, record === null ? "unknown" : "bad-secret", parts.id);
  }

  if (record.state === "revoked") return noSession(config, "revoked", record.id);
  if (record.state === "superseded") return followSuccessor(config, record, now, context);

  const expiry = checkDeadlines(record, now);
  if (expiry !== null) return expire(config, record, expiry, now);

  const mismatch = checkBinding(config.binding, record.client, context);
  if (mismatch !== null) return rejectBinding(config, record, mismatch, now);

  const renewed = await renewIfDue(config, record, token, stale, now);
  // The store refused the renewal: the record was revoked or rotated between the read and the
  // write. Decide again from what the store holds now (a rotation inside its grace period still
  // leads to the successor), once.
  if (renewed === null) {
    return retried
      ? noSession(config, "revoked", record.id)
      : validateToken(config, token, stale, context, true);
  }
  return renewed;
}

function checkDeadlines(
  record: SessionRecord,
  now: number,
): "expired-idle" | "expired-absolute" | null {
  // Half-open intervals: a session is valid strictly before each deadline (EXP-01, EXP-02).
  if (now >= record.absoluteExpiresAt) return "expired-absolute";
  if (now >= record.idleExpiresAt) return "expired-idle";
  return null;
}

async function expire(
  config: ManagerConfig,
  record: SessionRecord,
  reason: "expired-idle" | "expired-absolute",
  now: number,
): Promise<ValidateResult> {
  await callStore("delete", config.storeTimeoutMs, () => config.store.delete(record.id));
  emitEvent(config.onEvent, {
    type: "session.expired",
    at: now,
    sessionIdPrefix: idPrefix(record.id),
    reason,
  });
  return noSession(config, reason, record.id);
}

async function rejectBinding(
  config: ManagerConfig,
  record: SessionRecord,
  field: "userAgent" | "ip",
  now: number,
): Promise<ValidateResult> {
  const action = config.binding.onMismatch;
  emitEvent(config.onEvent, {
    type: "session.binding-mismatch",
    at: now,
    sessionIdPrefix: idPrefix(record.id),
    field,
    action,
  });

  if (action === "revoke") {
    const tombstoneUntil = now + config.revokedRetentionMs;
    await callStore("markRevoked", config.storeTimeoutMs, () =>
      config.store.markRevoked(record.id, tombstoneUntil),
    );
    emitEvent(config.onEvent, {
      type: "session.revoked",
      at: now,
      sessionIdPrefix: idPrefix(record.id),
      userId: record.userId,
      count: 1,
      cause: "binding-mismatch",
    });
  }
  return noSession(config, "binding-mismatch", record.id);
}

// A rotated-away token inside its grace period stands for its successor, so that requests sent
// before the client saw the new cookie still work. It cannot re-send the successor's cookie:
// the store never holds a secret. After the grace period the token is a replay.
async function followSuccessor(
  config: ManagerConfig,
  record: SessionRecord,
  now: number,
  context: RequestContext,
): Promise<ValidateResult> {
  const inGrace = record.graceUntil !== null && now < record.graceUntil;
  if (!inGrace || record.successorId === null) {
    emitEvent(config.onEvent, {
      type: "session.replay",
      at: now,
      sessionIdPrefix: idPrefix(record.id),
      successorIdPrefix: record.successorId === null ? null : idPrefix(record.successorId),
    });
    return noSession(config, "superseded", record.id);
  }

  const successorId = record.successorId;
  const answer = await callStore("get", config.storeTimeoutMs, () => config.store.get(successorId));
  const successor = checkedRead(answer, successorId, config.store);
  const live =
    successor !== null &&
    !("corrupt" in successor) &&
    successor.id === successorId &&
    successor.state === "active";
  if (!live) return noSession(config, "superseded", record.id);

  const expiry = checkDeadlines(successor, now);
  if (expiry !== null) return noSession(config, expiry, record.id);
  // A grace token is as good as the successor, so a mismatch through it is handled as one
  // through the successor's own token: with "revoke", a stolen pre-rotation cookie kills it.
  const mismatch = checkBinding(config.binding, successor.client, context);
  if (mismatch !== null) return rejectBinding(config, successor, mismatch, now);
  return { ok: true, session: toSession(successor), renewed: false, setCookie: null };
}

// A session created with a shorter idle timeout than the manager's (a per-session override)
// renews proportionally sooner; otherwise an idle timeout at or under the interval would expire
// a session that is in continuous use.
function renewalIntervalFor(config: ManagerConfig, record: SessionRecord): number {
  if (record.idleTimeoutMs >= config.idleTimeoutMs) return config.renewalIntervalMs;
  const scaled = (record.idleTimeoutMs * config.renewalIntervalMs) / config.idleTimeoutMs;
  return Math.max(1, Math.floor(scaled));
}

async function renewIfDue(
  config: ManagerConfig,
  record: SessionRecord,
  token: string,
  stale: boolean,
  now: number,
): Promise<ValidateResult | null> {
  let current = record;
  let renewed = false;

  if (now - record.lastSeenAt >= renewalIntervalFor(config, record)) {
    const idleExpiresAt = Math.min(now + record.idleTimeoutMs, record.absoluteExpiresAt);
    const touch = {
      lastSeenAt: now,
      idleExpiresAt,
      expiresAt: storeExpiresAt(idleExpiresAt),
      previousLastSeenAt: record.lastSeenAt,
    };
    const touched = await callStore("touch", config.storeTimeoutMs, () =>
      config.store.touch(record.id, touch),
    );

    if (!touched) return null;
    current = { ...record, lastSeenAt: now, idleExpiresAt, expiresAt: touch.expiresAt };
    renewed = true;
    emitEvent(config.onEvent, {
      type: "session.renewed",
      at: now,
      sessionIdPrefix: idPrefix(record.id),
      idleExpiresAt,
    });
  }

  // A persistent cookie's Max-Age follows the idle deadline, so it is re-sent when that moves;
  // a cookie verified with an older key is re-sent signed with the newest.
  const resend = (renewed && current.persistent) || stale;
  const setCookie = resend
    ? serializeSessionCookie(
        config.cookie,
        config.codec.encode(token),
        current.persistent ? cookieMaxAgeSeconds(current, now) : null,
      )
    : null;
  return { ok: true, session: toSession(current), renewed, setCookie };
}
