import { ConfigError } from "./errors.js";
import type { TimeoutPresetName, Timeouts } from "./options.js";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** The longest absolute timeout: browsers cap cookie lifetimes at 400 days (RFC 6265bis). */
export const MAX_ABSOLUTE_TIMEOUT_MS = 400 * DAY_MS;

/**
 * The timeout presets.
 * - `standard` (the default): 30 minutes idle, 12 hours absolute. OWASP's guidance for ordinary
 *   applications and NIST SP 800-63B's reauthentication bound for AAL2 (12 h).
 * - `high`: 15 minutes idle, 12 hours absolute, for high-value applications (OWASP: 2 to 5
 *   minutes for the most sensitive; NIST AAL3 asks 15 minutes of inactivity).
 * - `remember-me`: 7 days idle, 30 days absolute, for a "keep me signed in" login.
 */
export const TIMEOUT_PRESETS: Readonly<Record<TimeoutPresetName, Readonly<Timeouts>>> =
  Object.freeze({
    standard: Object.freeze({ idleTimeoutMs: 30 * MINUTE_MS, absoluteTimeoutMs: 12 * HOUR_MS }),
    high: Object.freeze({ idleTimeoutMs: 15 * MINUTE_MS, absoluteTimeoutMs: 12 * HOUR_MS }),
    "remember-me": Object.freeze({ idleTimeoutMs: 7 * DAY_MS, absoluteTimeoutMs: 30 * DAY_MS }),
  });

/** Checks that `value` is a positive whole number of milliseconds no larger than `max`. */
export function checkDurationMs(field: string, value: unknown, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new ConfigError(
      field,
      `must be a positive whole number of milliseconds, got ${String(value)}`,
    );
  }
  if (value > max) throw new ConfigError(field, `must be at most ${max} ms, got ${value}`);
  return value;
}

/**
 * Resolves a preset name and explicit overrides into checked timeouts.
 * @throws ConfigError for an unknown preset, a non-positive or non-integer value, an absolute
 * timeout over 400 days, or an idle timeout longer than the absolute one.
 */
export function resolveTimeouts(
  field: string,
  preset: unknown,
  overrides: Partial<Timeouts>,
): Timeouts {
  const presetName = preset ?? "standard";
  if (typeof presetName !== "string" || !Object.hasOwn(TIMEOUT_PRESETS, presetName)) {
    throw new ConfigError(`${field}preset`, `unknown preset ${JSON.stringify(presetName)}`);
  }
  const base = TIMEOUT_PRESETS[presetName as TimeoutPresetName];

  const absoluteTimeoutMs = checkDurationMs(
    `${field}absoluteTimeoutMs`,
    overrides.absoluteTimeoutMs === undefined
      ? base.absoluteTimeoutMs
      : overrides.absoluteTimeoutMs,
    MAX_ABSOLUTE_TIMEOUT_MS,
  );
  const idleTimeoutMs = checkDurationMs(
    `${field}idleTimeoutMs`,
    overrides.idleTimeoutMs === undefined
      ? Math.min(base.idleTimeoutMs, absoluteTimeoutMs)
      : overrides.idleTimeoutMs,
    MAX_ABSOLUTE_TIMEOUT_MS,
  );

  if (idleTimeoutMs > absoluteTimeoutMs) {
    throw new ConfigError(`${field}idleTimeoutMs`, "must not be longer than absoluteTimeoutMs");
  }
  return { idleTimeoutMs, absoluteTimeoutMs };
}
