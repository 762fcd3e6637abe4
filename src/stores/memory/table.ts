import type { SessionRecord } from "../../core/record.js";
import { ExpiryQueue } from "./expiry-queue.js";
import { UserIndex } from "./user-index.js";

// Stale expiry-queue entries (from renewals and deletes) may reach this many beyond twice the
// live records before the queue is rebuilt, so a rebuild's cost is spread over as many writes.
const QUEUE_SLACK = 1024;

/** Counts that show what a memory store holds, for monitoring and tests. */
export interface MemoryStoreStats {
  /** Records held, tombstones and not yet swept expired records included. */
  records: number;
  /** Users with at least one record in the per-user index. */
  users: number;
  /** Entries in the expiry queue, stale ones included (at most about twice `records`). */
  queued: number;
}

/**
 * The memory store's storage: records by id, the per-user index and the expiry queue, kept in
 * step. It knows deadlines and the cap but nothing of session states; the store does.
 */
export class RecordTable {
  readonly #records = new Map<string, SessionRecord>();
  readonly #users = new UserIndex();
  readonly #queue = new ExpiryQueue();
  readonly #maxEntries: number | null;
  readonly #onEvict: (record: SessionRecord) => void;

  /** @param onEvict called for each live record removed to respect `maxEntries`. */
  constructor(maxEntries: number | null, onEvict: (record: SessionRecord) => void) {
    this.#maxEntries = maxEntries;
    this.#onEvict = onEvict;
  }

  /** What the table holds now. */
  stats(): MemoryStoreStats {
    return { records: this.#records.size, users: this.#users.size, queued: this.#queue.length };
  }

  /** The record under `id` unless its `expiresAt` is not after `now`; such a one is dropped. */
  live(id: string, now: number): SessionRecord | undefined {
    const record = this.#records.get(id);
    if (record === undefined || record.expiresAt > now) return record;

    this.remove(record);
    return undefined;
  }

  /** The ids indexed under `userId`, as a snapshot. */
  idsOf(userId: string): string[] {
    return this.#users.ids(userId);
  }

  /** Adds a record the caller owns (a copy); the caller has made room and checked the id. */
  insert(record: SessionRecord): void {
    this.#records.set(record.id, record);
    if (record.userId !== null) this.#users.add(record.userId, record.id);
    this.#push(record.expiresAt, record.id);
  }

  /** Removes a record and its index entry. Its queue entries go stale and are dropped later. */
  remove(record: SessionRecord): void {
    this.#records.delete(record.id);
    if (record.userId !== null) this.#users.remove(record.userId, record.id);
  }

  /** Removes the record under `id`, if any. */
  removeId(id: string): void {
    const record = this.#records.get(id);
    if (record !== undefined) this.remove(record);
  }

  /** Moves a record's deadline; a deadline not after `now` removes the record instead. */
  setExpiry(record: SessionRecord, expiresAt: number, now: number): void {
    // Written so that a NaN deadline also removes: in the queue it would stall the sweep.
    if (!(expiresAt > now)) {
      this.remove(record);
      return;
    }

    if (expiresAt === record.expiresAt) return;
    record.expiresAt = expiresAt;
    this.#push(expiresAt, record.id);
  }

  /**
   * Drops every record whose `expiresAt` is not after `now`, in time proportional to the number
   * dropped. @returns how many were dropped.
   */
  sweep(now: number): number {
    let dropped = 0;

    for (let time = this.#queue.peekTime(); time !== undefined && time <= now;) {
      const record = this.#records.get(this.#queue.peekId() as string);
      this.#queue.pop();
      if (record !== undefined && record.expiresAt === time) {
        this.remove(record);
        dropped += 1;
      }
      time = this.#queue.peekTime();
    }

    this.#compactQueue();
    return dropped;
  }

  /**
   * Frees one slot when the table is at its cap: expired records go first, then the record that
   * expires soonest, never `protectId` (the record a rotation is retiring).
   */
  makeRoom(now: number, protectId: string | null): void {
    const cap = this.#maxEntries;
    if (cap === null) return;
    let kept: { time: number; id: string } | null = null;

    while (this.#records.size >= cap) {
      const time = this.#queue.peekTime();
      const id = this.#queue.peekId();
      if (time === undefined || id === undefined) break;
      this.#queue.pop();

      const record = this.#records.get(id);
      if (record === undefined || record.expiresAt !== time) continue;
      if (id === protectId) kept = { time, id };
      else if (time <= now) this.remove(record);
      else {
        this.remove(record);
        this.#onEvict(record);
      }
    }

    if (kept !== null) this.#queue.push(kept.time, kept.id);
  }

  #push(expiresAt: number, id: string): void {
    this.#queue.push(expiresAt, id);
    this.#compactQueue();
  }

  #compactQueue(): void {
    if (this.#queue.length > 2 * this.#records.size + QUEUE_SLACK) {
      this.#queue.rebuild(this.#records.values());
    }
  }
}
