import type { SessionEvent } from "../core/events.js";
import type { JsonValue, RecordTouch, SessionRecord } from "../core/record.js";
import type { DataWrite, SessionStore, SupersedeOptions, WriteOutcome } from "../core/store.js";
import { copyData, copyJson, setKey } from "./memory/copy.js";
import {
  resolveMemoryStoreOptions,
  type MemoryStoreConfig,
  type MemoryStoreOptions,
} from "./memory/options.js";
import { sweepTimer, type SweepTimer } from "./memory/timer.js";
import { NO_SLOT, RecordTable, type MemoryStoreStats } from "./memory/table.js";
import { emitEvent } from "../core/emit.js";
import { trustStoreReads } from "../core/record-check.js";

/**
 * A {@link SessionStore} that keeps sessions in this process's memory: the default store, for
 * development, tests and single-instance apps.
 *
 * Limitations: the store is per-process. Its sessions are lost when the process restarts, and
 * two instances of an app (cluster workers, replicas, serverless isolates) do not share them, so
 * a user signed in on one instance is unknown to another. Use the Redis or an SQL store for
 * those setups.
 *
 * Memory stays bounded: expired records are dropped by a background sweep (an unref'd timer,
 * every `sweepIntervalMs`), on read, and before the store grows past `maxEntries`; at the cap the
 * record that expires first is evicted with a `store.evicted` event, never silently. Every
 * operation is synchronous inside its promise, so each one is atomic. Records are held as
 * structured values (data is never re-parsed on read) and handed out as copies; their numeric
 * fields sit in typed-array columns, which is how a session costs less memory than a plain
 * object per record would.
 */
export class MemoryStore implements SessionStore {
  readonly #config: MemoryStoreConfig;
  readonly #table: RecordTable;
  #timer: SweepTimer | null = null;
  #closed = false;

  /** @throws ConfigError for a bad option, naming it (`store.maxEntries`…). */
  constructor(options: MemoryStoreOptions = {}) {
    this.#config = resolveMemoryStoreOptions(options);
    this.#table = new RecordTable(this.#config.maxEntries);
    // It holds only what the core wrote, and reads it back from typed columns that cannot lose
    // a field or change a type: the core need not check its records again on validate.
    trustStoreReads(this);
  }

  /** What the store holds now. */
  stats(): MemoryStoreStats {
    return this.#table.stats();
  }

  /**
   * Returns a copy of the record in any state, or `null`; a record whose `expiresAt` has passed
   * is dropped and gives `null`. Never a `CorruptRecord`: nothing here is decoded.
   */
  async get(id: string): Promise<SessionRecord | null> {
    const slot = this.#table.find(id, this.#config.now());
    return slot === NO_SLOT ? null : this.#table.read(slot);
  }

  /** Stores a copy of `record`. One whose `expiresAt` has passed is not kept (FR-04). */
  async create(record: SessionRecord): Promise<"created" | "exists"> {
    const now = this.#config.now();
    if (this.#table.find(record.id, now) !== NO_SLOT) return "exists";
    // Also true for a NaN deadline, which is never stored: it would stall the sweep.
    if (!(record.expiresAt > now)) return "created";

    const evicted = this.#table.makeRoom(now, NO_SLOT);
    this.#insert(record);
    this.#reportEvicted(evicted);
    return "created";
  }

  /** Renews an active record. A renewal older than the stored one changes nothing. */
  async touch(id: string, touch: RecordTouch): Promise<boolean> {
    const now = this.#config.now();
    const slot = this.#table.find(id, now);
    const columns = this.#table.columns;
    if (slot === NO_SLOT || columns.state(slot) !== "active") return false;

    // Two requests may renew out of order; the later lastSeenAt wins (lastSeenAt is monotonic).
    const lastSeenAt = columns.lastSeenAt(slot);
    if (touch.lastSeenAt < lastSeenAt) return true;
    // Another request renewed since this one read the record: its write stands.
    const previous = touch.previousLastSeenAt;
    if (previous !== undefined && previous !== lastSeenAt) return true;

    columns.renew(slot, touch.lastSeenAt, touch.idleExpiresAt);
    this.#table.setExpiry(slot, touch.expiresAt, now);
    return true;
  }

  /** Patches or replaces an active record's data and raises its version. */
  async writeData(
    id: string,
    write: DataWrite,
    expectedVersion: number | null,
  ): Promise<WriteOutcome> {
    const slot = this.#table.find(id, this.#config.now());
    const columns = this.#table.columns;
    if (slot === NO_SLOT) return { ok: false, reason: "missing" };
    if (columns.state(slot) !== "active") return { ok: false, reason: "inactive" };
    const version = columns.version(slot);
    if (expectedVersion !== null && expectedVersion !== version) {
      return { ok: false, reason: "conflict" };
    }

    // A patch changes the stored object in place: it is the store's own copy, never handed out.
    const data = write.kind === "replace" ? copyData(write.data) : columns.data(slot);
    if (write.kind === "patch") {
      for (const key of Object.keys(write.set)) {
        setKey(data, key, copyJson(write.set[key] as JsonValue));
      }
      for (const key of write.delete) delete data[key];
    }

    columns.setData(slot, data, version + 1);
    return { ok: true, version: version + 1 };
  }

  /**
   * Rotates `oldId` to `successor`. A successor id that is already taken (which 128 random bits
   * make practically impossible) is reported as a conflict and nothing is written.
   * @returns on success, the successor's version.
   */
  async supersede(
    oldId: string,
    expectedVersion: number,
    successor: SessionRecord,
    options: SupersedeOptions,
  ): Promise<WriteOutcome> {
    const now = this.#config.now();
    const old = this.#table.find(oldId, now);
    const columns = this.#table.columns;
    if (old === NO_SLOT) return { ok: false, reason: "missing" };
    if (columns.state(old) !== "active") return { ok: false, reason: "inactive" };
    if (columns.version(old) !== expectedVersion) return { ok: false, reason: "conflict" };
    if (this.#table.find(successor.id, now) !== NO_SLOT) return { ok: false, reason: "conflict" };

    // Room is made first: removing other records frees their slots, never this one.
    const evicted = this.#table.makeRoom(now, old);
    columns.supersede(old, successor.id, options.graceUntil);
    this.#table.setExpiry(old, options.expiresAt, now);

    if (successor.expiresAt > now) this.#insert(successor);
    this.#reportEvicted(evicted);
    return { ok: true, version: successor.version };
  }

  /** Turns an active record into a revoked tombstone. */
  async markRevoked(id: string, tombstoneUntil: number): Promise<boolean> {
    const now = this.#config.now();
    const slot = this.#table.find(id, now);
    if (slot === NO_SLOT || this.#table.columns.state(slot) !== "active") return false;

    this.#revoke(slot, tombstoneUntil, now);
    return true;
  }

  /** Revokes a user's active records, walking only that user's index entry. */
  async markRevokedByUser(
    userId: string,
    tombstoneUntil: number,
    exceptId: string | null,
  ): Promise<number> {
    const now = this.#config.now();
    let count = 0;

    for (const id of this.#table.idsOf(userId)) {
      const slot = this.#table.find(id, now);
      if (slot === NO_SLOT || this.#table.columns.state(slot) !== "active") continue;
      if (id === exceptId) continue;
      this.#revoke(slot, tombstoneUntil, now);
      count += 1;
    }
    return count;
  }

  /** Copies of a user's records in any state; expired ones met on the way are dropped. */
  async listByUser(userId: string): Promise<SessionRecord[]> {
    const now = this.#config.now();
    const listed: SessionRecord[] = [];

    for (const id of this.#table.idsOf(userId)) {
      const slot = this.#table.find(id, now);
      if (slot !== NO_SLOT) listed.push(this.#table.read(slot));
    }
    return listed;
  }

  /** Removes a record and its index entry; an unknown id is a no-op. */
  async delete(id: string): Promise<void> {
    this.#table.removeId(id);
  }

  /**
   * Drops every record whose `expiresAt` has passed, in time proportional to the number dropped.
   * The background timer calls this; call it yourself when `sweepIntervalMs` is `null`.
   * @returns how many records were dropped.
   */
  sweep(): number {
    return this.#table.sweep(this.#config.now());
  }

  /**
   * Stops the background sweep for good. The records stay readable and writable; expired ones
   * are then dropped only on read or by calling {@link MemoryStore.sweep}.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timer?.stop();
    this.#timer = null;
  }

  /** Whether the background sweep timer is running. */
  get sweeping(): boolean {
    return this.#timer !== null;
  }

  /** Stores a copy of `record`; the table copies it into its columns. */
  #insert(record: SessionRecord): void {
    this.#table.insert(record);

    if (this.#timer === null && !this.#closed && this.#config.sweepIntervalMs !== null) {
      this.#timer = sweepTimer(this, this.#config.sweepIntervalMs);
    }
  }

  #revoke(slot: number, tombstoneUntil: number, now: number): void {
    const expiresAt = this.#table.expiresAt(slot);

    this.#table.columns.revoke(slot);
    this.#table.setExpiry(slot, Math.min(expiresAt, tombstoneUntil), now);
  }

  #reportEvicted(ids: readonly string[]): void {
    for (const id of ids) {
      this.#emit({
        type: "store.evicted",
        at: this.#config.now(),
        sessionIdPrefix: id.slice(0, 8),
        cause: "cap",
      });
    }
  }

  // The app's hook may throw or reject; a store operation must not fail because of it.
  #emit(event: SessionEvent): void {
    emitEvent(this.#config.onEvent, event);
  }
}

export type { MemoryStoreOptions } from "./memory/options.js";
export type { MemoryStoreStats } from "./memory/table.js";
export { DEFAULT_MAX_ENTRIES, DEFAULT_SWEEP_INTERVAL_MS } from "./memory/options.js";
