import type { CookieCodec } from "../codec/codec.js";
import type { CookieOptions } from "../cookie/options.js";
import type { EventHandler } from "./events.js";
import type { SessionStore } from "./store.js";

/**
 * A source of random bytes: fills `bytes` in place. The same shape as `@oslojs/crypto`'s
 * `RandomReader`, declared here so that the CommonJS type declarations import nothing from an
 * ESM-only package.
 */
export interface RandomReader {
  /** Fills `bytes` with cryptographically secure random bytes; session ids are drawn from it. */
  read(bytes: Uint8Array): void;
}

/** The named timeout presets. */
export type TimeoutPresetName = "standard" | "high" | "remember-me";

/** Idle and absolute timeouts, in milliseconds. */
export interface Timeouts {
  /** A session unused for this long expires. */
  idleTimeoutMs: number;
  /** No session lives longer than this from its creation, however active. */
  absoluteTimeoutMs: number;
}

/** Binding a session to facts about the client that created it. */
export interface BindingOptions {
  /** Reject a request whose User-Agent differs from the one at creation. @default false */
  userAgent?: boolean;
  /**
   * Reject a request whose IP is outside the creating IP's network of this many leading bits;
   * `null` for no IP binding. @default null
   */
  ipPrefix?: { v4: number; v6: number } | null;
  /** What a mismatch does to the session besides rejecting the request. @default "reject" */
  onMismatch?: "reject" | "revoke";
}

/** Options for building a session manager. Checked once, when it is built. */
export interface SessionManagerOptions {
  /** Where sessions are kept. */
  store: SessionStore;
  /** How a token becomes a cookie value. */
  codec: CookieCodec;
  /** The session cookie's name and attributes. */
  cookie?: CookieOptions;
  /** A named set of timeouts; the explicit `*Ms` options below override its values. */
  preset?: TimeoutPresetName;
  /** @default the preset's (standard: 30 minutes) */
  idleTimeoutMs?: number;
  /** @default the preset's (standard: 12 hours) */
  absoluteTimeoutMs?: number;
  /**
   * A validate writes the renewed idle deadline at most once per interval, so the idle deadline
   * can lag real activity by up to this much. @default the smaller of 60 s and idle / 4
   */
  renewalIntervalMs?: number;
  /** Whether cookies carry a Max-Age by default (per-session override at create). @default false */
  persistentCookie?: boolean;
  /** How long a rotated-away token still leads to its successor. At most 60 s. @default 0 */
  rotationGraceMs?: number;
  /**
   * How long a revoked session's tombstone is kept, so that a validate can answer `revoked`
   * rather than `unknown`. The tombstone never outlives the record's own deadline (plus the
   * one-minute slack every record gets); writes cannot revive a session either way, since no
   * write creates a record. @default the smaller of 1 hour and the absolute timeout
   */
  revokedRetentionMs?: number;
  /** Optional binding to the client's User-Agent and/or IP network. */
  binding?: BindingOptions;
  /**
   * The most live sessions one user may have; creating one more revokes the least recently
   * used. @default null (no cap)
   */
  maxSessionsPerUser?: number | null;
  /** The largest session data, as UTF-8 JSON, in bytes. @default 65536 */
  maxDataBytes?: number;
  /** Every store call fails with a `StoreError` after this long. @default 2000 */
  storeTimeoutMs?: number;
  /** Receives every event. It may throw; latchkey carries on. */
  onEvent?: EventHandler;
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** The source of random bytes. @default the Web Crypto random source */
  random?: RandomReader;
}
