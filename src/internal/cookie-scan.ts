/**
 * One bounded pass over Cookie header fields, collecting every value sent under one name.
 * Internal: `findSessionCookieValues` in src/cookie/parse.ts is the public face; the pair count
 * is returned so tests can assert the work bound without timing.
 */

/**
 * The most `;`-separated pairs examined across all header fields of one request. Browsers keep
 * about 180 cookies per domain (noted in CHIPS), so a real header stays below it.
 */
export const MAX_COOKIE_PAIRS = 256;

/** What {@link scanCookieHeader} found, and how much it looked at. */
export interface CookieScan {
  /** Every value sent under the name, in header order; raw, never decoded. */
  values: string[];
  /** How many pairs were examined, empty ones included; at most {@link MAX_COOKIE_PAIRS}. */
  pairsExamined: number;
}

/**
 * Scans `header` (one field, a list of fields, or anything else, which yields nothing) for
 * pairs named exactly `name`. Each field is split on `;` only; a comma is never a separator
 * (PAR-04), so a comma-folded header cannot produce a value split out of another pair.
 * Work is linear in the input examined and stops after {@link MAX_COOKIE_PAIRS} pairs.
 */
export function scanCookieHeader(header: unknown, name: string): CookieScan {
  const scan: CookieScan = { values: [], pairsExamined: 0 };
  if (typeof name !== "string" || name === "") return scan;

  if (typeof header === "string") {
    scanField(header, name, scan);
  } else if (Array.isArray(header)) {
    // Only the first MAX_COOKIE_PAIRS elements can each add a pair, so a huge array of junk
    // costs no more than a long header.
    const limit = Math.min(header.length, MAX_COOKIE_PAIRS);
    for (let index = 0; index < limit && scan.pairsExamined < MAX_COOKIE_PAIRS; index++) {
      const field: unknown = header[index];
      if (typeof field === "string") scanField(field, name, scan);
    }
  }
  return scan;
}

function scanField(field: string, name: string, scan: CookieScan): void {
  let start = 0;
  while (start <= field.length && scan.pairsExamined < MAX_COOKIE_PAIRS) {
    const semicolon = field.indexOf(";", start);
    const end = semicolon === -1 ? field.length : semicolon;
    scan.pairsExamined++;

    const pair = field.slice(start, end);
    const value = valueFor(pair, name);
    if (value !== null) scan.values.push(value);

    if (semicolon === -1) return;
    start = end + 1;
  }
}

// The value of `pair` if its name is exactly `name` (case-sensitive, R25), else null. Leading
// and trailing spaces and tabs around name and value are dropped (RFC 6265bis §5.6). A pair that
// is the bare name with no "=" counts as an empty value, so it reads as malformed, not absent.
// Surrounding double quotes are kept: a quoted value fails the codec's alphabet check rather
// than giving a token a second spelling.
function valueFor(pair: string, name: string): string | null {
  const equals = pair.indexOf("=");
  const rawName = equals === -1 ? pair : pair.slice(0, equals);
  if (trimSpaces(rawName) !== name) return null;
  return equals === -1 ? "" : trimSpaces(pair.slice(equals + 1));
}

function trimSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}
