import type { NoSessionReason } from "./result.js";

/**
 * Events that latchkey reports through the app's `onEvent` hook. They are structured objects
 * with a `type` tag. A session appears only as `sessionIdPrefix`, the first 8 characters of its
 * id (the id alone cannot authenticate); no event carries a token, a secret or a cookie value.
 */
export type SessionEvent =
  | { type: "session.created"; at: number; sessionIdPrefix: string; userId: string | null }
  | { type: "session.renewed"; at: number; sessionIdPrefix: string; idleExpiresAt: number }
  | {
      type: "session.rotated";
      at: number;
      sessionIdPrefix: string;
      successorIdPrefix: string;
      graceMs: number;
    }
  | {
      type: "session.revoked";
      at: number;
      sessionIdPrefix: string | null;
      userId: string | null;
      count: number;
      cause: "revoke" | "revoke-user" | "binding-mismatch" | "session-cap";
    }
  | {
      type: "session.expired";
      at: number;
      sessionIdPrefix: string;
      reason: "expired-idle" | "expired-absolute";
    }
  | {
      type: "session.rejected";
      at: number;
      sessionIdPrefix: string | null;
      reason: NoSessionReason;
    }
  | {
      type: "session.binding-mismatch";
      at: number;
      sessionIdPrefix: string;
      field: "userAgent" | "ip";
      action: "reject" | "revoke";
    }
  | {
      type: "session.replay";
      at: number;
      sessionIdPrefix: string;
      successorIdPrefix: string | null;
    }
  | { type: "store.corrupt-record"; at: number; sessionIdPrefix: string; detail: string }
  | { type: "store.evicted"; at: number; sessionIdPrefix: string; cause: "cap" }
  | { type: "store.error"; at: number; operation: string; error: unknown }
  | { type: "cookie.insecure-transport"; at: number; detail: string }
  | {
      type: "session.change-failed";
      at: number;
      operation: SessionChangeOperation;
      error: unknown;
    };

/**
 * The session-handle changes a `session.change-failed` event names. The event is reported for
 * every failed change, whether or not the app awaited it (an app that did also gets the error).
 */
export type SessionChangeOperation =
  "set" | "delete" | "login" | "logout" | "rotate" | "revoke" | "revokeAllOthers" | "listSessions";

/** The app's event handler. It may throw; latchkey catches it and carries on. */
export type EventHandler = (event: SessionEvent) => void;

/** The `type` tags of {@link SessionEvent}. */
export type SessionEventType = SessionEvent["type"];
