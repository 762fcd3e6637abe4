import { ConfigError } from "../../core/errors.js";
import type { EventHandler } from "../../core/events.js";

/** Options for {@link MemoryStore}. Checked once, when the store is built. */
export interface MemoryStoreOptions {
  /**
   * The most records the store holds, tombstones included; `null` for no limit. When a create
   * or rotation would pass it, expired records are dropped first, then the record with the
   * earliest `expiresAt` is evicted and a `store.evicted` event is reported. Eviction ends that
   * session early (its user must sign in again); it never makes a session valid.
   * @default 100_000
   */
  maxEntries?: number | null;
  /**
   * How often the background sweep drops expired records, in milliseconds; `null` for no timer
   * (call `sweep()` yourself, as on runtimes that forbid timers outside a request). The timer
   * starts at the first write and never keeps the process alive.
   * @default 60_000
   */
  sweepIntervalMs?: number | null;
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** Receives `store.evicted` events. It may throw; the store carries on. */
  onEvent?: EventHandler;
}

/** The checked, frozen form of {@link MemoryStoreOptions}. */
export interface MemoryStoreConfig {
  readonly maxEntries: number | null;
  readonly sweepIntervalMs: number | null;
  readonly now: () => number;
  readonly onEvent: EventHandler | null;
}

/** The default cap on stored records. */
export const DEFAULT_MAX_ENTRIES = 100_000;
/** The default interval of the background sweep, in milliseconds. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

// setInterval takes a signed 32-bit delay; a larger one fires immediately, in a loop.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Checks `options` and fills in defaults. @throws ConfigError naming the bad option. */
export function resolveMemoryStoreOptions(options: MemoryStoreOptions = {}): MemoryStoreConfig {
  if (typeof options !== "object" || options === null) {
    throw new ConfigError("store", "memory store options must be an object");
  }

  const maxEntries = options.maxEntries === undefined ? DEFAULT_MAX_ENTRIES : options.maxEntries;
  if (maxEntries !== null && !isIntegerIn(maxEntries, 1, Number.MAX_SAFE_INTEGER)) {
    throw new ConfigError("store.maxEntries", "must be a positive integer or null");
  }

  const sweepIntervalMs =
    options.sweepIntervalMs === undefined ? DEFAULT_SWEEP_INTERVAL_MS : options.sweepIntervalMs;
  if (sweepIntervalMs !== null && !isIntegerIn(sweepIntervalMs, 1, MAX_TIMER_MS)) {
    throw new ConfigError(
      "store.sweepIntervalMs",
      `must be an integer from 1 to ${MAX_TIMER_MS}, or null`,
    );
  }

  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new ConfigError("store.now", "must be a function");

  const onEvent = options.onEvent ?? null;
  if (onEvent !== null && typeof onEvent !== "function") {
    throw new ConfigError("store.onEvent", "must be a function");
  }

  return Object.freeze({ maxEntries, sweepIntervalMs, now, onEvent });
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}
