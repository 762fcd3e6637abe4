/**
 * Header arithmetic shared by the request shapes: recognising the session's Set-Cookie line and
 * the caching headers that must travel with it. Web APIs only.
 */

/** The name of the cookie a Set-Cookie value sets: the text before the first `=`. */
export function setCookieName(line: string): string {
  const equals = line.indexOf("=");
  return (equals === -1 ? line : line.slice(0, equals)).trim();
}

/** Whether a Set-Cookie value sets the cookie `name` (names match case-sensitively). */
export function setsCookie(line: string, name: string): boolean {
  return setCookieName(line) === name;
}

/** Whether a Set-Cookie value carries the `Secure` attribute. */
export function carriesSecure(line: string): boolean {
  return line
    .split(";")
    .slice(1)
    .some((attribute) => attribute.trim().toLowerCase() === "secure");
}

/**
 * A response that sets or clears the session cookie must not be stored by a shared cache, which
 * would hand one user's cookie to the next (SER-09, OWASP Session Management: caching).
 */
export const SESSION_CACHE_CONTROL = "no-store";

/** Adds `Cookie` to a `Vary` value once, keeping what the app listed (`*` already covers it). */
export function varyWithCookie(existing: string | null): string {
  if (existing === null || existing.trim() === "") return "Cookie";

  const tokens = existing.split(",").map((token) => token.trim().toLowerCase());
  if (tokens.includes("*") || tokens.includes("cookie")) return existing;
  return `${existing}, Cookie`;
}
