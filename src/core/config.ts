import type { CookieCodec } from "../codec/codec.js";
import { resolveCookieOptions, type ResolvedCookieOptions } from "../cookie/resolve.js";
import { isCookieValue } from "../internal/cookie-grammar.js";
import {
  MAX_COOKIE_AGE_SECONDS,
  serializeClearingCookie,
  serializeSessionCookie,
} from "../cookie/serialize.js";
import { ConfigError } from "./errors.js";
import { checkKnownKeys } from "./known-keys.js";
import type { EventHandler } from "./events.js";
import type { RandomReader, SessionManagerOptions, Timeouts } from "./options.js";
import type { SessionStore } from "./store.js";
import { checkDurationMs, resolveTimeouts } from "./timeouts.js";
import { ID_LENGTH, SECRET_LENGTH, webCryptoRandom } from "./token.js";

const MAX_GRACE_MS = 60_000;
const MAX_STORE_TIMEOUT_MS = 60_000;
const DEFAULT_REVOKED_RETENTION_MS = 3_600_000;
const DEFAULT_MAX_DATA_BYTES = 65_536;
const DEFAULT_STORE_TIMEOUT_MS = 2_000;

const MANAGER_OPTIONS = [
  "store",
  "codec",
  "cookie",
  "preset",
  "idleTimeoutMs",
  "absoluteTimeoutMs",
  "renewalIntervalMs",
  "persistentCookie",
  "rotationGraceMs",
  "revokedRetentionMs",
  "binding",
  "maxSessionsPerUser",
  "maxDataBytes",
  "storeTimeoutMs",
  "onEvent",
  "now",
  "random",
] as const satisfies readonly (keyof SessionManagerOptions)[];

const STORE_METHODS = [
  "get",
  "create",
  "touch",
  "writeData",
  "supersede",
  "markRevoked",
  "markRevokedByUser",
  "listByUser",
  "delete",
] as const;

/** Options after defaults and checks: what the manager runs on. */
export interface ManagerConfig extends Timeouts {
  readonly store: SessionStore;
  readonly codec: CookieCodec;
  readonly cookie: ResolvedCookieOptions;
  readonly renewalIntervalMs: number;
  readonly persistentCookie: boolean;
  readonly rotationGraceMs: number;
  readonly revokedRetentionMs: number;
  readonly binding: {
    readonly userAgent: boolean;
    readonly ipPrefix: { readonly v4: number; readonly v6: number } | null;
    readonly onMismatch: "reject" | "revoke";
  };
  readonly maxSessionsPerUser: number | null;
  readonly maxDataBytes: number;
  readonly storeTimeoutMs: number;
  readonly onEvent: EventHandler | null;
  readonly now: () => number;
  readonly random: RandomReader;
}

/**
 * Applies defaults to the manager's options and checks them, once, at start-up.
 * @throws ConfigError naming the first bad option.
 */
export function resolveManagerConfig(options: SessionManagerOptions): ManagerConfig {
  if (typeof options !== "object" || options === null) {
    throw new ConfigError("options", "must be an object");
  }
  checkKnownKeys("", options, MANAGER_OPTIONS);
  const store = checkStore(options.store);
  const codec = checkCodec(options.codec);
  const cookie = resolveCookieOptions(options.cookie);
  checkCodecCookieName(codec, cookie.name);
  checkCookieFits(codec, cookie);

  const timeouts = resolveTimeouts("", options.preset, {
    idleTimeoutMs: options.idleTimeoutMs,
    absoluteTimeoutMs: options.absoluteTimeoutMs,
  });
  // Shorter than the idle timeout, or a session in constant use would expire before renewing.
  const renewalIntervalMs = checkDurationMs(
    "renewalIntervalMs",
    options.renewalIntervalMs === undefined
      ? Math.max(1, Math.min(60_000, Math.floor(timeouts.idleTimeoutMs / 4)))
      : options.renewalIntervalMs,
    Math.max(1, timeouts.idleTimeoutMs - 1),
  );

  const config: ManagerConfig = {
    ...timeouts,
    store,
    codec,
    cookie,
    renewalIntervalMs,
    persistentCookie: checkBoolean("persistentCookie", options.persistentCookie, false),
    rotationGraceMs: checkGraceMs(
      "rotationGraceMs",
      options.rotationGraceMs === undefined ? 0 : options.rotationGraceMs,
    ),
    // The default is capped by the absolute timeout, so a short-lived configuration never
    // fails on an option it did not set; an explicit value must fit on its own.
    revokedRetentionMs: checkDurationMs(
      "revokedRetentionMs",
      options.revokedRetentionMs === undefined
        ? Math.min(DEFAULT_REVOKED_RETENTION_MS, timeouts.absoluteTimeoutMs)
        : options.revokedRetentionMs,
      timeouts.absoluteTimeoutMs,
    ),
    binding: checkBinding(options.binding),
    maxSessionsPerUser: checkOptionalCount("maxSessionsPerUser", options.maxSessionsPerUser),
    maxDataBytes: checkDurationLike("maxDataBytes", options.maxDataBytes, DEFAULT_MAX_DATA_BYTES),
    storeTimeoutMs: checkDurationMs(
      "storeTimeoutMs",
      options.storeTimeoutMs === undefined ? DEFAULT_STORE_TIMEOUT_MS : options.storeTimeoutMs,
      MAX_STORE_TIMEOUT_MS,
    ),
    onEvent: checkFunction("onEvent", options.onEvent) as EventHandler | null,
    now: (checkFunction("now", options.now) as (() => number) | null) ?? Date.now,
    random: checkRandom(options.random),
  };
  return Object.freeze(config);
}

/** Checks a per-call grace period (0 to 60 s). */
export function checkGraceMs(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_GRACE_MS) {
    throw new ConfigError(
      field,
      `must be a whole number of milliseconds from 0 to ${MAX_GRACE_MS}`,
    );
  }
  return value;
}

function checkStore(store: unknown): SessionStore {
  if (typeof store !== "object" || store === null) {
    throw new ConfigError("store", "must be a SessionStore");
  }
  for (const method of STORE_METHODS) {
    if (typeof (store as Record<string, unknown>)[method] !== "function") {
      throw new ConfigError("store", `is missing the method ${method}()`);
    }
  }
  return store as SessionStore;
}

function checkCodec(codec: unknown): CookieCodec {
  const c = codec as Partial<CookieCodec> | null;
  if (typeof c !== "object" || c === null || typeof c.encode !== "function") {
    throw new ConfigError("codec", "must be a CookieCodec with encode() and decode()");
  }
  if (typeof c.decode !== "function") {
    throw new ConfigError("codec", "must be a CookieCodec with encode() and decode()");
  }
  return c as CookieCodec;
}

// A signed codec binds its MAC to a cookie name; signing for one name and reading another would
// reject every cookie, so the mismatch is a start-up error.
function checkCodecCookieName(codec: CookieCodec, cookieName: string): void {
  const bound = (codec as { cookieName?: unknown }).cookieName;
  if (bound !== undefined && bound !== cookieName) {
    throw new ConfigError("codec", `is bound to another cookie name than ${cookieName}`);
  }
}

// The longest cookies the manager will send: a token as the codec encodes it with the largest
// Max-Age, and the clearing cookie. A codec that cannot encode, or a limit the cookies do not
// fit in, would fail every login or logout on the request, so it fails here instead.
function checkCookieFits(codec: CookieCodec, cookie: ResolvedCookieOptions): void {
  let probe: unknown;
  try {
    probe = codec.encode(`${"A".repeat(ID_LENGTH)}.${"A".repeat(SECRET_LENGTH)}`);
  } catch (error) {
    throw new ConfigError("codec", `cannot encode a token: ${messageOf(error)}`);
  }
  if (typeof probe !== "string" || !isCookieValue(probe)) {
    throw new ConfigError("codec", "must encode a token as RFC 6265 cookie-octets");
  }

  try {
    serializeSessionCookie(cookie, probe, MAX_COOKIE_AGE_SECONDS);
    serializeClearingCookie(cookie);
  } catch (error) {
    throw new ConfigError(
      "cookie.maxSetCookieBytes",
      `is too small for a session cookie: ${messageOf(error)}`,
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkBinding(binding: SessionManagerOptions["binding"]): ManagerConfig["binding"] {
  const b = binding === undefined ? {} : binding;
  if (typeof b !== "object" || b === null || Array.isArray(b)) {
    throw new ConfigError("binding", "must be an object");
  }
  checkKnownKeys("binding", b, ["userAgent", "ipPrefix", "onMismatch"]);

  const onMismatch = b.onMismatch ?? "reject";
  if (onMismatch !== "reject" && onMismatch !== "revoke") {
    throw new ConfigError("binding.onMismatch", 'must be "reject" or "revoke"');
  }

  let ipPrefix: ManagerConfig["binding"]["ipPrefix"] = null;
  if (b.ipPrefix !== undefined && b.ipPrefix !== null) {
    if (typeof b.ipPrefix !== "object")
      throw new ConfigError("binding.ipPrefix", "must be an object");
    checkKnownKeys("binding.ipPrefix", b.ipPrefix, ["v4", "v6"]);
    const { v4, v6 } = b.ipPrefix;
    if (!Number.isInteger(v4) || v4 < 1 || v4 > 32) {
      throw new ConfigError("binding.ipPrefix.v4", "must be a whole number from 1 to 32");
    }
    if (!Number.isInteger(v6) || v6 < 1 || v6 > 128) {
      throw new ConfigError("binding.ipPrefix.v6", "must be a whole number from 1 to 128");
    }
    ipPrefix = Object.freeze({ v4, v6 });
  }

  const userAgent = checkBoolean("binding.userAgent", b.userAgent, false);
  return Object.freeze({ userAgent, ipPrefix, onMismatch });
}

function checkBoolean(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new ConfigError(field, "must be true or false");
  return value;
}

function checkOptionalCount(field: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(field, "must be a positive whole number or null");
  }
  return value;
}

function checkDurationLike(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(field, "must be a positive whole number");
  }
  return value;
}

function checkFunction(field: string, value: unknown): ((...args: never[]) => unknown) | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "function") throw new ConfigError(field, "must be a function");
  return value as (...args: never[]) => unknown;
}

function checkRandom(random: unknown): RandomReader {
  if (random === undefined) return webCryptoRandom;
  if (
    typeof random !== "object" ||
    random === null ||
    typeof (random as RandomReader).read !== "function"
  ) {
    throw new ConfigError("random", "must be a RandomReader with read(bytes)");
  }
  return random as RandomReader;
}
