import { parseIp } from "../../core/binding.js";
import { ConfigError } from "../../core/errors.js";
import type { SessionManager } from "../../core/manager-api.js";
import type { TrustProxy } from "./transport.js";

/**
 * Checks on what the request shapes are given, so that a wrong value is a `ConfigError` where
 * the shape is set up (or at the call) rather than a `TypeError` deep inside a request.
 */

// Apps pass one constant list on every loadSession() call: it is checked and parsed once.
const listMatchers = new WeakMap<readonly unknown[], (peer: string) => boolean>();

/**
 * Checks a `trustProxy` option: `true`, `false`, a function, or a list of IP addresses (no
 * names such as `loopback`, no ranges, no zone ids, no IPv4 octets with leading zeros).
 * @returns the option as the adapter uses it: a list becomes a function that compares
 * addresses by their bytes, so `::1`, `0:0:0:0:0:0:0:1` and `::ffff:127.0.0.1` / `127.0.0.1`
 * each match, whatever spelling the runtime reports.
 * @throws ConfigError (field `trustProxy`)
 */
export function checkTrustProxy(value: unknown): TrustProxy {
  if (value === undefined) return false;
  if (typeof value === "boolean" || typeof value === "function") return value as TrustProxy;
  if (!Array.isArray(value)) {
    throw new ConfigError(
      "trustProxy",
      "must be true, false, a list of IP addresses or a function",
    );
  }

  const cached = listMatchers.get(value);
  if (cached !== undefined) return cached;
  const addresses = (value as unknown[]).map(parseTrustedAddress);
  const matcher = (peer: string): boolean => {
    const bytes = parseIp(peer);
    return bytes !== null && addresses.some((address) => sameBytes(address, bytes));
  };
  listMatchers.set(value, matcher);
  return matcher;
}

function parseTrustedAddress(entry: unknown): Uint8Array {
  const text = typeof entry === "string" ? entry.trim() : "";
  // An octet like 010 reads as 10 here but as 8 in some tools; a zone id names an interface
  // the comparison would ignore. Both are refused rather than guessed at.
  const dotted = text.split(":").at(-1) ?? "";
  const ambiguous = text.includes("%") || (dotted.includes(".") && /(^|\.)0\d/.test(dotted));
  const bytes = ambiguous ? null : parseIp(text);
  if (bytes === null) {
    throw new ConfigError(
      "trustProxy",
      `lists IP addresses only (no names, ranges or zone ids); ${JSON.stringify(entry)} is not one`,
    );
  }
  return bytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

// What the request shapes call on a manager; a test double without one of them would fail
// later, inside a request or in the handler that reports a failed change.
const MANAGER_METHODS = [
  "validateCookieHeader",
  "create",
  "login",
  "update",
  "rotate",
  "revoke",
  "revokeAllForUser",
  "listForUser",
  "notify",
  "now",
] as const;

/**
 * Checks that `manager` is a session manager (from `createSessionManager()`), with every
 * method the request shapes call.
 * @throws ConfigError (field `manager`)
 */
export function checkManager(manager: unknown): SessionManager {
  const candidate = manager as Record<string, unknown> | null | undefined;
  const complete =
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.cookieName === "string" &&
    MANAGER_METHODS.every((method) => typeof candidate[method] === "function");
  if (!complete) {
    throw new ConfigError("manager", "must be a session manager from createSessionManager()");
  }
  return candidate as unknown as SessionManager;
}

/**
 * The checked `trustProxy` of an adapter's options argument (`undefined` or an object).
 * @throws ConfigError (field `options` or `trustProxy`)
 */
export function trustProxyOf(options: { trustProxy?: TrustProxy } | undefined): TrustProxy {
  return checkTrustProxy(checkOptionsObject(options)?.trustProxy);
}

/**
 * Checks an options argument: `undefined` or an object.
 * @throws ConfigError (field `options`)
 */
function checkOptionsObject<T extends object>(options: T | undefined): T | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigError("options", "must be an object");
  }
  return options;
}
