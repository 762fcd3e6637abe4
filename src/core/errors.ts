/**
 * latchkey's typed errors. Client input never throws (it is "no session" with a reason); these
 * are for configuration mistakes, store faults and writes the app asked for that cannot be done.
 */

/** Every code a {@link LatchkeyError} can carry. */
export type LatchkeyErrorCode =
  | "config"
  | "store-unavailable"
  | "store-timeout"
  | "store-schema"
  | "store-reply"
  | "session-conflict"
  | "session-revoked"
  | "session-data-too-large"
  | "cookie-serialize"
  | "headers-sent";

// A brand rather than `instanceof`: the dual ESM/CJS build can load two copies of this module,
// and an error made by one copy is not an instance of the other copy's class.
const BRAND = Symbol.for("latchkey.error");

/** The base of every error latchkey throws. Messages never contain a token or a secret. */
export class LatchkeyError extends Error {
  /** What kind of failure this is; stable across versions. */
  readonly code: LatchkeyErrorCode;

  constructor(code: LatchkeyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "LatchkeyError";
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Whether `value` is an error thrown by any loaded copy of latchkey. */
export function isLatchkeyError(value: unknown): value is LatchkeyError {
  return typeof value === "object" && value !== null && BRAND in value;
}

/** Bad options, thrown when a manager, codec or store is built, never on a request. */
export class ConfigError extends LatchkeyError {
  /** The option at fault, as a dotted path (`cookie.domain`, `timeouts.idleTimeoutMs`). */
  readonly field: string;

  constructor(field: string, message: string) {
    super("config", `${field}: ${message}`);
    this.name = "ConfigError";
    this.field = field;
  }
}

/** The store's kinds of fault. */
export type StoreErrorCode = "store-unavailable" | "store-timeout" | "store-schema" | "store-reply";

/**
 * A store could not answer: unreachable, too slow, missing its table, or an unexpected reply.
 * Never means "no session"; latchkey fails closed and the request gets no identity.
 */
export class StoreError extends LatchkeyError {
  /** The store operation that failed (`get`, `touch`, `supersede`…). */
  readonly operation: string;

  constructor(
    code: StoreErrorCode,
    operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${operation}: ${message}`, options);
    this.name = "StoreError";
    this.operation = operation;
  }
}

/** A whole-data write named a version the store no longer holds; nothing was written. */
export class SessionConflictError extends LatchkeyError {
  constructor(message = "the session changed since it was read; nothing was written") {
    super("session-conflict", message);
    this.name = "SessionConflictError";
  }
}

/** A write or rotation met a session that was revoked, superseded or removed meanwhile. */
export class SessionRevokedError extends LatchkeyError {
  constructor(message = "the session is no longer active; nothing was written") {
    super("session-revoked", message);
    this.name = "SessionRevokedError";
  }
}

/** Session data whose serialised size exceeds the configured limit; nothing was written. */
export class SessionDataTooLargeError extends LatchkeyError {
  /** The serialised size in bytes. */
  readonly bytes: number;
  /** The configured limit in bytes. */
  readonly limitBytes: number;

  constructor(bytes: number, limitBytes: number) {
    super("session-data-too-large", `session data is ${bytes} bytes; the limit is ${limitBytes}`);
    this.name = "SessionDataTooLargeError";
    this.bytes = bytes;
    this.limitBytes = limitBytes;
  }
}

/** A Set-Cookie line could not be built safely (bad characters, or over the size limit). */
export class CookieSerializeError extends LatchkeyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("cookie-serialize", message, options);
    this.name = "CookieSerializeError";
  }
}

/**
 * A change that has to send a new session cookie (a login, a rotation, a new anonymous session)
 * was made after the response headers had gone out. Nothing was written: committing it would
 * leave the client with a cookie that no longer works. (A logout or revoke still goes through:
 * the cookie it cannot clear is worthless once the session is revoked.)
 */
export class HeadersSentError extends LatchkeyError {
  constructor(operation: string) {
    super(
      "headers-sent",
      `${operation}: the response headers were already sent, so the session cookie cannot go ` +
        "out; nothing was written (await session changes before writing the response)",
    );
    this.name = "HeadersSentError";
  }
}
