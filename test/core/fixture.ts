import type { RandomReader } from "@oslojs/crypto/random";
import { LatchkeySessionManager } from "../../src/core/manager.js";
import type { SessionEvent } from "../../src/core/events.js";
import type { SessionManagerOptions } from "../../src/core/options.js";
import type { SessionRecord } from "../../src/core/record.js";
import type { ValidateResult } from "../../src/core/result.js";
import { PlainCodec } from "../../src/codec/plain.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { InstrumentedStore, type StoreMethod } from "../support/instrumented-store.js";

/**
 * Fixtures for the core tests: a manager over a real memory store wrapped in an
 * InstrumentedStore, both on one fake clock, with every event collected.
 */

/** 2030-01-01T00:00:00Z: a plausible millisecond timestamp for record checks. */
export const T0 = Date.UTC(2030, 0, 1);
export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The store methods that write. */
export const WRITE_METHODS: readonly StoreMethod[] = [
  "create",
  "touch",
  "writeData",
  "supersede",
  "markRevoked",
  "markRevokedByUser",
  "delete",
];

/**
 * A settable clock. The store reads `now() - storeLagMs`, so a test can make the store lag
 * behind the manager (a TTL or sweep that has not run yet) and keep an expired record visible.
 */
export class FakeClock {
  time = T0;
  storeLagMs = 0;

  readonly now = (): number => this.time;
  readonly storeNow = (): number => this.time - this.storeLagMs;

  advance(ms: number): number {
    this.time += ms;
    return this.time;
  }

  set(time: number): void {
    this.time = time;
  }
}

/** What {@link setup} builds. */
export interface Harness {
  clock: FakeClock;
  memory: MemoryStore;
  store: InstrumentedStore;
  manager: LatchkeySessionManager;
  events: SessionEvent[];
  /** The record as the memory store holds it now (read past the instrumentation). */
  raw(id: string): Promise<SessionRecord | null>;
  /** Calls to the write methods since the last reset. */
  writes(): number;
}

/** Options for {@link setup}: manager options, plus a memory store to share. */
export type SetupOptions = Partial<SessionManagerOptions> & {
  memory?: MemoryStore;
  clock?: FakeClock;
};

/** A manager on a fake clock over an instrumented memory store. */
export function setup(options: SetupOptions = {}): Harness {
  const { memory: shared, clock: sharedClock, ...managerOptions } = options;
  const clock = sharedClock ?? new FakeClock();
  const memory =
    shared ?? new MemoryStore({ now: clock.storeNow, sweepIntervalMs: null, maxEntries: null });
  const store = new InstrumentedStore(memory);
  const events: SessionEvent[] = [];

  const manager = new LatchkeySessionManager({
    store,
    codec: new PlainCodec(),
    now: clock.now,
    onEvent: (event) => events.push(event),
    ...managerOptions,
  });

  return {
    clock,
    memory,
    store,
    manager,
    events,
    async raw(id) {
      const record = await memory.get(id);
      if (record !== null && "corrupt" in record) throw new Error("unexpected corrupt record");
      return record;
    },
    writes: () => WRITE_METHODS.reduce((sum, method) => sum + store.count(method), 0),
  };
}

/** A Cookie header carrying `token` under `name`. */
export function cookie(token: string, name = "__Host-sid"): string {
  return `${name}=${token}`;
}

/** A Set-Cookie line split into its name, value and attributes (attribute names lower-cased). */
export interface ParsedSetCookie {
  name: string;
  value: string;
  attributes: Map<string, string | true>;
}

/** Splits a Set-Cookie line; a test oracle independent of the `cookie` package. */
export function parseSetCookie(line: string): ParsedSetCookie {
  const [pair = "", ...rest] = line.split("; ");
  const equals = pair.indexOf("=");
  const attributes = new Map<string, string | true>();
  for (const part of rest) {
    const at = part.indexOf("=");
    if (at === -1) attributes.set(part.toLowerCase(), true);
    else attributes.set(part.slice(0, at).toLowerCase(), part.slice(at + 1));
  }
  return { name: pair.slice(0, equals), value: pair.slice(equals + 1), attributes };
}

/** The Max-Age of a Set-Cookie line, in seconds, or `null` when it has none. */
export function maxAgeOf(line: string): number | null {
  const value = parseSetCookie(line).attributes.get("max-age");
  return typeof value === "string" ? Number(value) : null;
}

/** Whether a Set-Cookie line clears the cookie (empty value, Max-Age=0). */
export function isClearing(line: string | null): boolean {
  if (line === null) return false;
  const parsed = parseSetCookie(line);
  return parsed.value === "" && parsed.attributes.get("max-age") === "0";
}

/** The reason of a failed result, or "ok". */
export function reasonOf(result: ValidateResult): string {
  return result.ok ? "ok" : result.reason;
}

/** `token` with its last character replaced by another of the alphabet. */
export function flipLast(token: string): string {
  const last = token.at(-1) === "A" ? "B" : "A";
  return token.slice(0, -1) + last;
}

/**
 * A random source whose 16-byte reads (ids) come from `ids` first, then from Web Crypto; other
 * reads always come from Web Crypto. Counts every read.
 */
export function scriptedIdRandom(ids: Uint8Array[]): RandomReader & { reads: number } {
  const queue = [...ids];
  const reader = {
    reads: 0,
    read(bytes: Uint8Array): void {
      reader.reads++;
      const next = bytes.length === 16 ? queue.shift() : undefined;
      if (next !== undefined) bytes.set(next);
      else crypto.getRandomValues(bytes);
    },
  };
  return reader;
}

/** Events of one type, narrowed. */
export function eventsOf<T extends SessionEvent["type"]>(
  events: readonly SessionEvent[],
  type: T,
): Extract<SessionEvent, { type: T }>[] {
  return events.filter((event): event is Extract<SessionEvent, { type: T }> => event.type === type);
}
