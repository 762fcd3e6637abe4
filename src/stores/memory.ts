import type { SessionEvent } from "../core/events.js";
import type { JsonValue, RecordTouch, SessionRecord } from "../core/record.js";
import type { DataWrite, SessionStore, SupersedeOptions, WriteOutcome } from "../core/store.js";
import { copyData, copyJson, copyRecord, setKey } from "./memory/copy.js";
import {
  resolveMemoryStoreOptions,
  type MemoryStoreConfig,
  type MemoryStoreOptions,
} from "./memory/options.js";
import { sweepTimer, type SweepTimer } from "./memory/timer.js";
import { RecordTable, type MemoryStoreStats } from "./memory/table.js";

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
 * structured values and handed out as copies.
 */
export class MemoryStore implements SessionStore {
  readonly #config: MemoryStoreConfig;
  readonly #table: RecordTable;
  #timer: SweepTimer | null = null;
  #closed = false;

  /** @throws ConfigError for a bad option, naming it (`store.maxEntries`…). */
  constructor(options: MemoryStoreOptions = {}) {
    this.#config = resolveMemoryStoreOptions(options);
    this.#table = new RecordTable(this.#config.maxEntries, (record) => this.#evicted(record));
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
    const record = this.#table.live(id, this.#config.now());
    return record === undefined ? null : copyRecord(record);
  }

  /** Stores a copy of `record`. One whose `expiresAt` has passed is not kept (FR-04). */
  async create(record: SessionRecord): Promise<"created" | "exists"> {
    const now = this.#config.now();
    if (this.#table.live(record.id, now) !== undefined) return "exists";
    // Also true for a NaN deadline, which is never stored: it would stall the sweep.
    if (!(record.expiresAt > now)) return "created";

    this.#table.makeRoom(now, null);
    this.#insert(copyRecord(record));
    return "created";
  }

  /** Renews an active record. A renewal older than the stored one changes nothing. */
  async touch(id: string, touch: RecordTouch): Promise<boolean> {
    const now = this.#config.now();
    const record = this.#table.live(id, now);
    if (record === undefined || record.state !== "active") return false;

    // Two requests may renew out of order; the later lastSeenAt wins (lastSeenAt is monotonic).
    if (touch.lastSeenAt < record.lastSeenAt) return true;
    // Another request renewed since this one read the record: its write stands.
    const previous = touch.previousLastSeenAt;
    if (previous !== undefined && previous !== record.lastSeenAt) return true;

    record.lastSeenAt = touch.lastSeenAt;
    record.idleExpiresAt = touch.idleExpiresAt;
    this.#table.setExpiry(record, touch.expiresAt, now);
    return true;
  }

  /** Patches or replaces an active record's data and raises its version. */
  async writeData(
    id: string,
    write: DataWrite,
    expectedVersion: number | null,
  ): Promise<WriteOutcome> {
    const record = this.#table.live(id, this.#config.now());
    if (record === undefined) return { ok: false, reason: "missing" };
    if (record.state !== "active") return { ok: false, reason: "inactive" };
    const stale = expectedVersion !== null && expectedVersion !== record.version;
    if (stale) return { ok: false, reason: "conflict" };

    if (write.kind === "replace") {
      record.data = copyData(write.data);
    } else {
      for (const key of Object.keys(write.set)) {
        setKey(record.data, key, copyJson(write.set[key] as JsonValue));
      }
      for (const key of write.delete) delete record.data[key];
    }

    record.version += 1;
    return { ok: true, version: record.version };
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
    const old = this.#table.live(oldId, now);
    if (old === undefined) return { ok: false, reason: "missing" };
    if (old.state !== "active") return { ok: false, reason: "inactive" };
    if (old.version !== expectedVersion) return { ok: false, reason: "conflict" };
    if (this.#table.live(successor.id, now) !== undefined) return { ok: false, reason: "conflict" };

    this.#table.makeRoom(now, oldId);
    old.state = "superseded";
    old.successorId = successor.id;
    old.graceUntil = options.graceUntil;
    this.#table.setExpiry(old, options.expiresAt, now);

    if (successor.expiresAt > now) this.#insert(copyRecord(successor));
    return { ok: true, version: successor.version };
  }

  /** Turns an active record into a revoked tombstone. */
  async markRevoked(id: string, tombstoneUntil: number): Promise<boolean> {
    const now = this.#config.now();
    const record = this.#table.live(id, now);
    if (record === undefined || record.state !== "active") return false;

    this.#revoke(record, tombstoneUntil, now);
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
      const record = this.#table.live(id, now);
      if (record === undefined || record.state !== "active" || id === exceptId) continue;
      this.#revoke(record, tombstoneUntil, now);
      count += 1;
    }
    return count;
  }

  /** Copies of a user's records in any state; expired ones met on the way are dropped. */
  async listByUser(userId: string): Promise<SessionRecord[]> {
    const now = this.#config.now();
    const listed: SessionRecord[] = [];

    for (const id of this.#table.idsOf(userId)) {
      const record = this.#table.live(id, now);
      if (record !== undefined) listed.push(copyRecord(record));
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

  #insert(record: SessionRecord): void {
    this.#table.insert(record);

    if (this.#timer === null && !this.#closed && this.#config.sweepIntervalMs !== null) {
      this.#timer = sweepTimer(this, this.#config.sweepIntervalMs);
    }
  }

  #revoke(record: SessionRecord, tombstoneUntil: number, now: number): void {
    record.state = "revoked";
    record.data = {};
    this.#table.setExpiry(record, Math.min(record.expiresAt, tombstoneUntil), now);
  }

  #evicted(record: SessionRecord): void {
    this.#emit({
      type: "store.evicted",
      at: this.#config.now(),
      sessionIdPrefix: record.id.slice(0, 8),
      cause: "cap",
    });
  }

  #emit(event: SessionEvent): void {
    try {
      this.#config.onEvent?.(event);
    } catch {
      // The app's hook may throw; a store operation must not fail because of it.
    }
  }
}

export type { MemoryStoreOptions } from "./memory/options.js";
export type { MemoryStoreStats } from "./memory/table.js";
export { DEFAULT_MAX_ENTRIES, DEFAULT_SWEEP_INTERVAL_MS } from "./memory/options.js";
