import { parseIp } from "../../core/binding.js";
import { ConfigError } from "../../core/errors.js";
import type { SessionManager } from "../../core/manager-api.js";
import type { TrustProxy } from "./transport.js";

/**
 * Checks on what the request shapes are given, so that a wrong value is a `ConfigError` where
 * the shape is set up (or at the call) rather than a `TypeError` deep inside a request.
 */

// Lists already checked: apps pass one constant list on every call, checked once.
const checkedLists = new WeakSet<readonly string[]>();

/**
 * Checks a `trustProxy` option: `true`, `false`, a function, or a list of IP addresses (no
 * names such as `loopback` and no ranges, which Express's own setting takes).
 * @throws ConfigError (field `trustProxy`)
 */
export function checkTrustProxy(value: unknown): TrustProxy {
  if (value === undefined) return false;
  if (typeof value === "boolean" || typeof value === "function") return value as TrustProxy;

  if (Array.isArray(value)) {
    if (checkedLists.has(value)) return value;
    for (const entry of value as unknown[]) {
      if (typeof entry !== "string" || parseIp(entry.trim()) === null) {
        throw new ConfigError(
          "trustProxy",
          `lists IP addresses only (no names or ranges); ${JSON.stringify(entry)} is not one`,
        );
      }
    }
    checkedLists.add(value);
    return value;
  }
  throw new ConfigError("trustProxy", "must be true, false, a list of IP addresses or a function");
}

/**
 * Checks that `manager` is a session manager (from `createSessionManager()`).
 * @throws ConfigError (field `manager`)
 */
export function checkManager(manager: unknown): SessionManager {
  const candidate = manager as Partial<SessionManager> | null | undefined;
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    typeof candidate.validateCookieHeader !== "function"
  ) {
    throw new ConfigError("manager", "must be a session manager from createSessionManager()");
  }
  return candidate as SessionManager;
}

/**
 * Checks an options argument: `undefined` or an object.
 * @throws ConfigError (field `options`)
 */
export function checkOptionsObject<T extends object>(options: T | undefined): T | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigError("options", "must be an object");
  }
  return options;
}
