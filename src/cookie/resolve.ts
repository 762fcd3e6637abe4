import { ConfigError } from "../core/errors.js";
import { checkKnownKeys } from "../core/known-keys.js";
import { describeOptionValue, isToken } from "../internal/cookie-grammar.js";
import type { CookieOptions } from "./options.js";

/** The default session cookie name: generic (no framework fingerprint) and `__Host-` bound. */
export const DEFAULT_COOKIE_NAME = "__Host-sid";

/** The default largest Set-Cookie line in bytes, the per-cookie minimum browsers must support. */
export const DEFAULT_MAX_SET_COOKIE_BYTES = 4096;

/** The smallest and largest accepted `maxSetCookieBytes`. */
const MIN_SET_COOKIE_BYTES = 256;
const MAX_SET_COOKIE_BYTES = 8192;

// RFC 6265bis §5.6: user agents ignore attribute values over 1024 octets.
const MAX_ATTRIBUTE_OCTETS = 1024;

// RFC 6265 path-value: any CHAR (%x01-7F) except CTLs and ";". Must start with "/" so the
// browser does not fall back to the request's default path.
const PATH_PATTERN = /^\/[\x20-\x3A\x3C-\x7E]*$/;

// RFC 1034 §3.5 / RFC 1123 §2.1 labels: letters, digits and inner hyphens, 1-63 characters.
const LABEL_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const MAX_DOMAIN_LENGTH = 253;

/** Cookie options after defaults and checks; frozen. Built only by {@link resolveCookieOptions}. */
export interface ResolvedCookieOptions {
  /** The cookie name, an RFC 9110 token. */
  readonly name: string;
  /** The Path attribute; starts with "/". */
  readonly path: string;
  /** The Domain attribute, or `undefined` for a host-only cookie. */
  readonly domain: string | undefined;
  /** The SameSite attribute, lower case. */
  readonly sameSite: "lax" | "strict" | "none";
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly partitioned: boolean;
  /** Whether `secure` or `httpOnly` were allowed to be turned off. */
  readonly insecureDevMode: boolean;
  readonly allowCrossSite: boolean;
  /** The largest Set-Cookie line to send, in bytes. */
  readonly maxSetCookieBytes: number;
}

const COOKIE_OPTIONS = [
  "name",
  "path",
  "domain",
  "sameSite",
  "allowCrossSite",
  "secure",
  "httpOnly",
  "partitioned",
  "insecureDevMode",
  "maxSetCookieBytes",
] as const satisfies readonly (keyof CookieOptions)[];

/**
 * Applies the defaults (`__Host-sid`, `Path=/`, `SameSite=Lax`, Secure, HttpOnly, not
 * Partitioned, 4096-byte lines) and checks every option once, so a bad cookie configuration
 * fails when the manager is built and never produces a broken or weakened header later.
 *
 * Throws a `ConfigError` whose field is `cookie.<option>` for: a name that is not an RFC 9110
 * token; a `__Host-` name (any case) with a Domain, a Path other than "/", or without Secure; a
 * `__Secure-` name without Secure; `SameSite=None` or Partitioned without Secure; Secure or
 * HttpOnly turned off without `insecureDevMode`; a Path with controls, ";", over 1024 octets or
 * not starting with "/"; a Domain that is not dot-separated LDH labels; a `maxSetCookieBytes`
 * that is not an integer from 256 to 8192.
 */
export function resolveCookieOptions(options: CookieOptions | undefined): ResolvedCookieOptions {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new ConfigError("cookie", `must be an object, got ${describeOptionValue(options)}`);
  }

  const given = options ?? {};
  checkKnownKeys("cookie", given, COOKIE_OPTIONS);
  const insecureDevMode = readBoolean(given.insecureDevMode, "insecureDevMode", false);
  const resolved: ResolvedCookieOptions = {
    name: readName(given.name),
    path: readPath(given.path),
    domain: readDomain(given.domain),
    sameSite: readSameSite(given.sameSite),
    secure: readBoolean(given.secure, "secure", true),
    httpOnly: readBoolean(given.httpOnly, "httpOnly", true),
    partitioned: readBoolean(given.partitioned, "partitioned", false),
    insecureDevMode,
    allowCrossSite: readBoolean(given.allowCrossSite, "allowCrossSite", false),
    maxSetCookieBytes: readMaxBytes(given.maxSetCookieBytes),
  };

  checkCombination(resolved);
  return Object.freeze(resolved);
}

function checkCombination(options: ResolvedCookieOptions): void {
  if (!options.secure && !options.insecureDevMode) {
    fail("secure", "turning Secure off needs insecureDevMode: true (local HTTP development only)");
  }
  if (!options.httpOnly && !options.insecureDevMode) {
    fail("httpOnly", "turning HttpOnly off needs insecureDevMode: true (scripts could read it)");
  }

  // RFC 6265bis §4.1.3: prefixes are matched case-insensitively by user agents.
  const lowerName = options.name.toLowerCase();
  if (lowerName.startsWith("__host-")) {
    if (options.domain !== undefined) fail("domain", "a __Host- cookie cannot have a Domain");
    if (options.path !== "/") fail("path", 'a __Host- cookie must have path "/"');
    if (!options.secure) fail("secure", "a __Host- cookie requires secure: true");
  }
  if (lowerName.startsWith("__secure-") && !options.secure) {
    fail("secure", "a __Secure- cookie requires secure: true");
  }

  if (options.sameSite === "none" && !options.allowCrossSite) {
    fail("sameSite", 'sameSite "none" needs allowCrossSite: true (it drops CSRF protection)');
  }
  if (options.sameSite === "none" && !options.secure) {
    fail("sameSite", 'sameSite "none" requires secure: true');
  }
  if (options.partitioned && !options.secure) {
    fail("partitioned", "partitioned: true requires secure: true");
  }
}

function readName(value: unknown): string {
  if (value === undefined) return DEFAULT_COOKIE_NAME;
  if (!isToken(value) || value.length > MAX_ATTRIBUTE_OCTETS) {
    fail(
      "name",
      "must be an RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~), " +
        `got ${describeOptionValue(value)}`,
    );
  }
  return value;
}

function readPath(value: unknown): string {
  if (value === undefined) return "/";
  if (typeof value !== "string" || !PATH_PATTERN.test(value)) {
    fail(
      "path",
      'must start with "/" and contain no control characters, ";" or non-ASCII, ' +
        `got ${describeOptionValue(value)}`,
    );
  }
  if (value.length > MAX_ATTRIBUTE_OCTETS) {
    fail("path", `must be at most ${MAX_ATTRIBUTE_OCTETS} characters, got ${value.length}`);
  }
  return value;
}

function readDomain(value: unknown): string | undefined {
  if (value === undefined) return undefined;

  // A leading dot is ignored by browsers and a trailing one voids the attribute; accepting
  // neither keeps one spelling per domain.
  const valid =
    typeof value === "string" &&
    value.length <= MAX_DOMAIN_LENGTH &&
    value.split(".").every((label) => LABEL_PATTERN.test(label));
  if (!valid) {
    fail(
      "domain",
      "must be a host name of dot-separated letter/digit/hyphen labels (no leading or trailing " +
        `dot), or left out for a host-only cookie; got ${describeOptionValue(value)}`,
    );
  }
  return value;
}

function readSameSite(value: unknown): "lax" | "strict" | "none" {
  if (value === undefined) return "lax";

  const lower = typeof value === "string" ? value.toLowerCase() : value;
  if (lower !== "lax" && lower !== "strict" && lower !== "none") {
    fail("sameSite", `must be "lax", "strict" or "none", got ${describeOptionValue(value)}`);
  }
  return lower;
}

function readBoolean(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    fail(field, `must be true or false, got ${describeOptionValue(value)}`);
  }
  return value;
}

function readMaxBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_SET_COOKIE_BYTES;

  const inRange =
    typeof value === "number" &&
    Number.isInteger(value) &&
    value >= MIN_SET_COOKIE_BYTES &&
    value <= MAX_SET_COOKIE_BYTES;
  if (!inRange) {
    fail(
      "maxSetCookieBytes",
      `must be an integer from ${MIN_SET_COOKIE_BYTES} to ${MAX_SET_COOKIE_BYTES}, ` +
        `got ${describeOptionValue(value)}`,
    );
  }
  return value;
}

function fail(option: string, message: string): never {
  throw new ConfigError(`cookie.${option}`, message);
}
