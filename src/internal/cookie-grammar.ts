/**
 * Character classes from RFC 6265 §4.1.1 and RFC 9110 §5.6.2, shared by cookie option checks,
 * Set-Cookie serialisation and the signed codec. Internal: never exported from an entry.
 */

// RFC 9110 tchar. Stricter than the `cookie` package's name check, which also admits `"`, `(`,
// `,`, `/` and other separators (cookie issue #191).
const TOKEN_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// RFC 6265 cookie-octet: printable US-ASCII without DQUOTE, comma, semicolon and backslash.
// Stricter than the `cookie` package, which admits DQUOTE, comma and backslash.
const COOKIE_VALUE_PATTERN = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;

/** The longest part of a bad option value that an error message shows. */
const ECHO_LIMIT = 40;

/** Whether `value` is a string and an RFC 9110 token (a valid cookie name). */
export function isToken(value: unknown): value is string {
  return typeof value === "string" && TOKEN_PATTERN.test(value);
}

/** Whether `value` is a string made of RFC 6265 cookie-octets only (the empty string is). */
export function isCookieValue(value: unknown): value is string {
  return typeof value === "string" && COOKIE_VALUE_PATTERN.test(value);
}

/**
 * A short, printable description of a bad option value for an error message: a string is shown
 * quoted with escapes, cut to 40 characters; anything else by its type. Never use it on a token,
 * a key or a cookie value from a request.
 */
export function describeOptionValue(value: unknown): string {
  if (typeof value === "string") {
    const cut = value.length > ECHO_LIMIT ? `${value.slice(0, ECHO_LIMIT)}…` : value;
    return `${JSON.stringify(cut)} (${value.length} characters)`;
  }

  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number")
    return Number.isFinite(value) ? String(value) : "a non-finite number";
  return `a value of type ${typeof value}`;
}
