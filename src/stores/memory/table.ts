import type { SessionRecord } from "../../core/record.js";
import { RecordColumns } from "./columns.js";
import { ExpiryQueue } from "./expiry-queue.js";
import { UserIndex } from "./user-index.js";

/** What {@link RecordTable.find} returns for an id with no live record. */
export const NO_SLOT = -1;
const NONE_EVICTED: readonly string[] = Object.freeze([]);

/** Counts that show what a memory store holds, for monitoring and tests. */
export interface MemoryStoreStats {
  /** Records held, tombstones and not yet swept expired records included. */
  records: number;
  /** Users with at least one record in the per-user index. */
  users: number;
  /** Entries in the expiry queue: one per record. */
  queued: number;
}

/**
 * The memory store's storage: the record columns, id → slot, the per-user index and the expiry
 * queue, kept in step. It knows deadlines and the cap but nothing of session states; the store
 * does. A slot is valid only until its record is removed (the slot is then reused), so callers
 * look a record up by id in each operation and keep no slot across awaits.
 */
export class RecordTable {
  /** The stored fields but the deadline, read and written by slot. */
  readonly columns = new RecordColumns();
  readonly #slots = new Map<string, number>();
  readonly #users = new UserIndex();
  readonly #queue = new ExpiryQueue();
  readonly #maxEntries: number | null;

  /** @param maxEntries the cap that {@link RecordTable.makeRoom} keeps, or `null`. */
  constructor(maxEntries: number | null) {
    this.#maxEntries = maxEntries;
  }

  /** What the table holds now. */
  stats(): MemoryStoreStats {
    return { records: this.#slots.size, users: this.#users.size, queued: this.#queue.size };
  }

  /**
   * The slot of the record under `id`, or {@link NO_SLOT} when there is none or its `expiresAt`
   * is not after `now`; such a record is dropped.
   */
  find(id: string, now: number): number {
    const slot = this.#slots.get(id);
    if (slot === undefined) return NO_SLOT;
    if (this.#queue.deadline(slot) > now) return slot;

    this.remove(slot);
    return NO_SLOT;
  }

  /** A fresh copy of the record in `slot`. */
  read(slot: number): SessionRecord {
    return this.columns.read(slot, this.#queue.deadline(slot));
  }

  /** When the store may drop the record in `slot`. */
  expiresAt(slot: number): number {
    return this.#queue.deadline(slot);
  }

  /** The ids indexed under `userId`, as a snapshot. */
  idsOf(userId: string): string[] {
    return this.#users.ids(userId);
  }

  /**
   * Stores a copy of `record`; the caller has made room and checked that the id is free and
   * that `expiresAt` is a number in the future (a NaN deadline would stall the sweep).
   */
  insert(record: SessionRecord): void {
    const slot = this.columns.alloc(record);

    this.#slots.set(record.id, slot);
    if (record.userId !== null) this.#users.add(record.userId, record.id);
    this.#queue.set(slot, record.expiresAt);
  }

  /** Removes the record in `slot` with its index and queue entries, and frees the slot. */
  remove(slot: number): void {
    const id = this.columns.id(slot);
    const userId = this.columns.userId(slot);

    this.#slots.delete(id);
    if (userId !== null) this.#users.remove(userId, id);
    this.#queue.delete(slot);
    this.columns.free(slot);
  }

  /** Removes the record under `id`, if any. */
  removeId(id: string): void {
    const slot = this.#slots.get(id);
    if (slot !== undefined) this.remove(slot);
  }

  /** Moves a record's deadline; a deadline not after `now` removes the record instead. */
  setExpiry(slot: number, expiresAt: number, now: number): void {
    // Written so that a NaN deadline also removes: in the queue it would stall the sweep.
    if (!(expiresAt > now)) {
      this.remove(slot);
      return;
    }

    this.#queue.set(slot, expiresAt);
  }

  /**
   * Drops every record whose `expiresAt` is not after `now`, in time proportional to the number
   * dropped. @returns how many were dropped.
   */
  sweep(now: number): number {
    let dropped = 0;

    while (this.#queue.peekTime() <= now) {
      this.remove(this.#queue.peekSlot());
      dropped += 1;
    }
    return dropped;
  }

  /**
   * Frees one place when the table is at its cap: expired records go first, then the record
   * that expires soonest, never the one in `protectSlot` (the record a rotation is retiring).
   * @returns the ids of the live records evicted, for the store to report once its write is
   * done (an event hook run in the middle could change the table under it).
   */
  makeRoom(now: number, protectSlot: number): readonly string[] {
    const cap = this.#maxEntries;
    if (cap === null || this.#slots.size < cap) return NONE_EVICTED;
    const evicted: string[] = [];
    let keptTime: number | null = null;

    while (this.#slots.size >= cap && this.#queue.size > 0) {
      const slot = this.#queue.peekSlot();
      const time = this.#queue.peekTime();

      // Out of the queue for the rest of the loop, so the next soonest one comes up.
      if (slot === protectSlot) {
        keptTime = time;
        this.#queue.delete(slot);
        continue;
      }

      if (time > now) evicted.push(this.columns.id(slot));
      this.remove(slot);
    }

    if (keptTime !== null) this.#queue.set(protectSlot, keptTime);
    return evicted;
  }
}
