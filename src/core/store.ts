import type { DataPatch, RecordTouch, SessionData, SessionRecord } from "./record.js";

/**
 * What a store returns for a record it holds but cannot decode (bad JSON, missing fields, wrong
 * types, implausible times). The core turns it into "no session" with reason `corrupt`, reports
 * a `store.corrupt-record` event and deletes the record.
 */
export interface CorruptRecord {
  corrupt: true;
  /** The id that was asked for. */
  id: string;
  /** What was wrong, for the event. Never the stored bytes themselves. */
  detail: string;
}

/** A change to a session's data: per-key (merged with what is stored) or the whole object. */
export type DataWrite = ({ kind: "patch" } & DataPatch) | { kind: "replace"; data: SessionData };

/**
 * The result of a conditional write.
 * - `missing`: no record with that id (a write never creates one).
 * - `inactive`: the record is revoked or superseded (a write never revives one).
 * - `conflict`: the caller named a version and the stored one differs.
 */
export type WriteOutcome =
  { ok: true; version: number } | { ok: false; reason: "missing" | "inactive" | "conflict" };

/** How the old record of a rotation is left. */
export interface SupersedeOptions {
  /** Until when the old token leads to the successor; `null` for no grace. */
  graceUntil: number | null;
  /** When the store may drop the old record (after the grace period and a tombstone window). */
  expiresAt: number;
}

/**
 * Session persistence: I/O only. All policy (timeouts, renewal, hashing, binding) lives in the
 * core, which re-checks every record a store returns.
 *
 * Contract, shared by every store and checked by `test/contract/`:
 * - Faults (unreachable server, timeout, bad driver reply) reject with a `StoreError` that
 *   carries the cause. "Not found" is never a fault and a fault is never "not found".
 * - No write creates a record except `create` and `supersede`; no write revives a record whose
 *   state is not `active`; `touch` never moves `lastSeenAt` backwards.
 * - A record whose `expiresAt` is not in the future may be dropped at any time, and a write that
 *   would leave `expiresAt` in the past deletes the record instead of failing.
 * - Records come back as copies: changing a returned object never changes the store.
 * - Per-user operations cost work in proportion to that user's records, not to all records.
 */
export interface SessionStore {
  /**
   * Reads one record by id, in whatever state it is, expired or not.
   * @returns the record, `null` when there is none, or a {@link CorruptRecord}.
   */
  get(id: string): Promise<SessionRecord | CorruptRecord | null>;

  /**
   * Inserts a new record. Never overwrites one.
   * @returns `"exists"` when a record with that id is already there.
   */
  create(record: SessionRecord): Promise<"created" | "exists">;

  /**
   * Moves the renewal fields of an active record forward. Does not change `version`. When the
   * stored `lastSeenAt` is already later (a concurrent renewal won), nothing is written and the
   * call still returns `true`: concurrent renewals of one live session all succeed.
   * @returns `false` only when the record is missing or not active (nothing is written).
   */
  touch(id: string, touch: RecordTouch): Promise<boolean>;

  /**
   * Changes an active record's data and raises its version by one. A patch is applied to the
   * stored data atomically, so two patches that change different keys both keep their change.
   * @param expectedVersion `null` to write whatever the stored version is.
   */
  writeData(id: string, write: DataWrite, expectedVersion: number | null): Promise<WriteOutcome>;

  /**
   * Atomically: checks that `oldId` is active at `expectedVersion`, inserts `successor`, and
   * marks the old record `superseded` (pointing at the successor) with the given deadlines.
   * Of two concurrent calls for one record, at most one succeeds.
   */
  supersede(
    oldId: string,
    expectedVersion: number,
    successor: SessionRecord,
    options: SupersedeOptions,
  ): Promise<WriteOutcome>;

  /**
   * Turns a record into a revoked tombstone: state `revoked`, data emptied, `expiresAt` set to
   * `tombstoneUntil` (or left alone when that is later than the current value).
   * @returns `true` when the record was active.
   */
  markRevoked(id: string, tombstoneUntil: number): Promise<boolean>;

  /**
   * Revokes, as {@link SessionStore.markRevoked} does, every active record of a user.
   * @param exceptId a session to leave active, or `null`.
   * @returns how many records were revoked.
   */
  markRevokedByUser(
    userId: string,
    tombstoneUntil: number,
    exceptId: string | null,
  ): Promise<number>;

  /**
   * Lists a user's records (any state; the core filters). Stale index entries met on the way are
   * pruned. Corrupt records are left out.
   */
  listByUser(userId: string): Promise<SessionRecord[]>;

  /** Removes a record and its index entries. Deleting an unknown id is a no-op. */
  delete(id: string): Promise<void>;
}
