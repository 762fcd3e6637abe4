/**
 * latchkey: server-side sessions with safe defaults.
 *
 * This entry holds the core (the session manager, its types and errors), the cookie codecs and
 * the in-memory store. It uses Web APIs only and runs on Node.js 20+, Bun, Deno and Cloudflare
 * Workers. Request adapters and the Redis and SQL stores are separate subpaths.
 *
 * @module latchkey
 */
import { PlainCodec } from "./codec/plain.js";
import { ConfigError } from "./core/errors.js";
import { LatchkeySessionManager } from "./core/manager.js";
import type { SessionManager } from "./core/manager-api.js";
import type { SessionManagerOptions } from "./core/options.js";
import { MemoryStore } from "./stores/memory.js";

/** Options for {@link createSessionManager}: the manager's, with `store` and `codec` optional. */
export type CreateSessionManagerOptions = Omit<SessionManagerOptions, "store" | "codec"> &
  Partial<Pick<SessionManagerOptions, "store" | "codec">>;

/**
 * Builds a session manager. Options are checked here, once: a bad option throws a
 * `ConfigError` at start-up, never on a request.
 *
 * @param options `store` defaults to a new {@link MemoryStore} (one process only, with the
 * same `now` and `onEvent`) and `codec` to the {@link PlainCodec}; everything else as documented on
 * {@link SessionManagerOptions}.
 * @example
 * const sessions = createSessionManager({ preset: "standard" });
 * const result = await sessions.validateCookieHeader(request.headers.get("cookie"));
 * const userId = result.ok ? result.session.userId : null;
 */
export function createSessionManager(options: CreateSessionManagerOptions = {}): SessionManager {
  if (typeof options !== "object" || options === null) {
    throw new ConfigError("options", "must be an object");
  }
  return new LatchkeySessionManager({
    ...options,
    store: options.store ?? defaultStore(options),
    codec: options.codec ?? new PlainCodec(),
  });
}

// The default store shares the manager's clock and event hook, so an injected clock governs
// both and an eviction reaches the app like every other event.
function defaultStore(options: CreateSessionManagerOptions): MemoryStore {
  const { now, onEvent } = options;
  return new MemoryStore({
    ...(typeof now === "function" ? { now } : {}),
    ...(typeof onEvent === "function" ? { onEvent } : {}),
  });
}

export { LatchkeySessionManager } from "./core/manager.js";
export { PlainCodec } from "./codec/plain.js";
export { SignedCodec } from "./codec/signed.js";
export { MemoryStore } from "./stores/memory.js";
export { TIMEOUT_PRESETS } from "./core/timeouts.js";
export { checkStoredRecord, isPlausibleTimeMs } from "./core/record-check.js";
export { findSessionCookieValues, parseCookieHeader } from "./cookie/parse.js";
export { resolveCookieOptions } from "./cookie/resolve.js";
export { serializeClearingCookie, serializeSessionCookie } from "./cookie/serialize.js";
export {
  ConfigError,
  CookieSerializeError,
  HeadersSentError,
  isLatchkeyError,
  LatchkeyError,
  SessionConflictError,
  SessionDataTooLargeError,
  SessionRevokedError,
  StoreError,
} from "./core/errors.js";

export type { CookieCodec, DecodeFailure, DecodeResult } from "./codec/codec.js";
export type { SignedCodecOptions } from "./codec/signed.js";
export type { MemoryStoreOptions, MemoryStoreStats } from "./stores/memory.js";
export type { CookieOptions } from "./cookie/options.js";
export type { ResolvedCookieOptions } from "./cookie/resolve.js";
export type { LatchkeyErrorCode, StoreErrorCode } from "./core/errors.js";
export type {
  EventHandler,
  SessionChangeOperation,
  SessionEvent,
  SessionEventType,
} from "./core/events.js";
export type {
  CreateSessionInput,
  LoginInput,
  RequestContext,
  RotateOptions,
  SessionManager,
  SessionPatch,
} from "./core/manager-api.js";
export type {
  BindingOptions,
  RandomReader,
  SessionManagerOptions,
  TimeoutPresetName,
  Timeouts,
} from "./core/options.js";
export type {
  ClientFacts,
  DataPatch,
  JsonValue,
  RecordTouch,
  SessionData,
  SessionRecord,
  SessionState,
} from "./core/record.js";
export type {
  IssuedSession,
  NoSessionReason,
  Session,
  SessionSummary,
  ValidateResult,
} from "./core/result.js";
export type {
  CorruptRecord,
  DataWrite,
  SessionStore,
  SupersedeOptions,
  WriteOutcome,
} from "./core/store.js";
