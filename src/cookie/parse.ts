import { parseCookie } from "cookie";
import { scanCookieHeader } from "../internal/cookie-scan.js";

/**
 * Every value sent under exactly `name` in the request's Cookie header fields, in order.
 *
 * The `cookie` package's parse keeps only the first value per name, so it cannot show that a
 * request carries two session cookies (one planted by a sibling subdomain, PAR-01); this scan
 * lists them all so the manager can tell duplicates from a single cookie.
 *
 * - `header` is one field, a list of fields (HTTP/2 may split them, R22) or any other value,
 *   which gives `[]`. It never throws.
 * - Names match case-sensitively (R25): `__host-sid` is a different, untrusted cookie.
 * - Each field is split on `;` only. A comma-joined header (`a=1, __Host-sid=<T>`) cannot give a
 *   value split out of another pair: there the session cookie is not found (PAR-04).
 * - Values are raw: no percent-decoding (R26), so `%41` stays `%41` and fails the codec's
 *   alphabet check, and surrounding double quotes are kept for the same reason.
 * - A bare `name` with no `=` is listed as `""`, so it reads as malformed rather than absent.
 * - At most 256 pairs are examined across all fields (R27); later pairs are ignored. Work is
 *   linear in the examined input.
 */
export function findSessionCookieValues(
  header: string | readonly string[] | null | undefined,
  name: string,
): string[] {
  return scanCookieHeader(header, name).values;
}

/**
 * All cookies of a request as a null-prototype map, for apps that want cookies other than the
 * session's. A thin wrapper over the `cookie` package's parse: the first value of a name wins
 * (the same one {@link findSessionCookieValues} lists first), values are percent-decoded once
 * and a bad escape keeps the raw value (PAR-06). `__proto__`, `constructor` and `hasOwnProperty`
 * are plain keys, so a lookup of an absent name gives `undefined`, never an inherited function.
 * A list of fields is read in order; anything that is not a string or a list gives an empty map.
 * Pairs without `=` are skipped. Never throws.
 *
 * Do not read the session token from this map: it decodes values and hides duplicates. The
 * manager uses {@link findSessionCookieValues}.
 */
export function parseCookieHeader(
  header: string | readonly string[] | null | undefined,
): Record<string, string> {
  const result: Record<string, string> = Object.create(null) as Record<string, string>;
  const fields: readonly unknown[] = Array.isArray(header) ? header : [header];

  for (const field of fields) {
    if (typeof field !== "string") continue;

    const parsed = parseCookie(field);
    for (const key of Object.keys(parsed)) {
      const value = parsed[key];
      if (value !== undefined && !Object.hasOwn(result, key)) result[key] = value;
    }
  }
  return result;
}
