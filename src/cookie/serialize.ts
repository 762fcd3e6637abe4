import { stringifySetCookie, type SetCookie } from "cookie";
import { CookieSerializeError } from "../core/errors.js";
import { isCookieValue } from "../internal/cookie-grammar.js";
import type { ResolvedCookieOptions } from "./resolve.js";

/** The longest Max-Age sent, in seconds: 400 days, the cap of RFC 6265bis §5.6.2. */
export const MAX_COOKIE_AGE_SECONDS = 34_560_000;

// A fixed past date rather than one derived from a clock: old clients that ignore Max-Age still
// drop the cookie, and the header does not depend on the injected clock.
const EPOCH = new Date(0);

/**
 * Builds the `Set-Cookie` line for the session cookie, e.g.
 * `__Host-sid=<value>; Path=/; HttpOnly; Secure; SameSite=Lax`.
 *
 * `maxAgeSeconds` is `null` for a session (non-persistent) cookie. A number becomes an integer
 * `Max-Age`: a fraction is rounded down (never past the server's own deadline), anything over
 * 400 days (including `Infinity`) is clamped to 34 560 000, and zero or a negative number gives
 * `Max-Age=0`, which deletes the cookie. The header never contains a fraction, an exponent or
 * `Infinity`. No `Expires` is sent with a Max-Age, because it would need a wall clock; every
 * browser in use honours Max-Age.
 *
 * Throws a `CookieSerializeError` (before any header exists) when the value holds anything but
 * RFC 6265 cookie-octets (CR, LF, `;`, space, comma, quote, backslash, non-ASCII), when
 * `maxAgeSeconds` is `NaN` or not a number, or when the whole line is longer than
 * `options.maxSetCookieBytes`. Messages give lengths, never the value.
 */
export function serializeSessionCookie(
  options: ResolvedCookieOptions,
  value: string,
  maxAgeSeconds: number | null,
): string {
  if (!isCookieValue(value)) {
    throw new CookieSerializeError(
      `the session cookie value (${lengthOf(value)}) contains characters outside RFC 6265 ` +
        "cookie-octets",
    );
  }

  const cookie = baseCookie(options, value);
  if (maxAgeSeconds !== null) cookie.maxAge = toMaxAge(maxAgeSeconds);
  return build(options, cookie);
}

/**
 * Builds the `Set-Cookie` line that deletes the session cookie: the same name, Path and Domain
 * (and Secure, Partitioned and SameSite, so the browser matches the same cookie) with an empty
 * value, `Max-Age=0` and `Expires=Thu, 01 Jan 1970 00:00:00 GMT`. Throws a
 * `CookieSerializeError` only if the line exceeds `options.maxSetCookieBytes`.
 */
export function serializeClearingCookie(options: ResolvedCookieOptions): string {
  const cookie = baseCookie(options, "");
  cookie.maxAge = 0;
  cookie.expires = EPOCH;
  return build(options, cookie);
}

function baseCookie(options: ResolvedCookieOptions, value: string): SetCookie {
  return {
    name: options.name,
    value,
    path: options.path,
    domain: options.domain,
    sameSite: options.sameSite,
    secure: options.secure,
    httpOnly: options.httpOnly,
    partitioned: options.partitioned,
  };
}

function toMaxAge(seconds: number): number {
  if (typeof seconds !== "number" || Number.isNaN(seconds)) {
    throw new CookieSerializeError("maxAgeSeconds must be a number of seconds or null, not NaN");
  }
  if (seconds <= 0) return 0;
  if (seconds >= MAX_COOKIE_AGE_SECONDS) return MAX_COOKIE_AGE_SECONDS;
  return Math.floor(seconds);
}

function build(options: ResolvedCookieOptions, cookie: SetCookie): string {
  let line: string;
  try {
    // The value is already checked against cookie-octets; identity encoding keeps one spelling
    // of the token (no percent-encoding, R26).
    line = stringifySetCookie(cookie, { encode: (text) => text });
  } catch {
    // The package's messages quote the value, which may be a token: report without them.
    throw new CookieSerializeError(
      `the cookie package refused the "${options.name}" cookie; its options bypassed ` +
        "resolveCookieOptions",
    );
  }

  // Every part is ASCII (checked above and by the package), so length equals bytes.
  if (line.length > options.maxSetCookieBytes) {
    throw new CookieSerializeError(
      `the Set-Cookie line for "${options.name}" is ${line.length} bytes; the limit ` +
        `(maxSetCookieBytes) is ${options.maxSetCookieBytes}`,
    );
  }
  return line;
}

function lengthOf(value: unknown): string {
  return typeof value === "string" ? `${value.length} characters` : `of type ${typeof value}`;
}
