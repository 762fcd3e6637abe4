import { trustStoreReads } from "../../core/record-check.js";
import { ConfigError, SessionDataTooLargeError, StoreError } from "../../core/errors.js";
import type { EventHandler, SessionEvent } from "../../core/events.js";
import type { RecordTouch, SessionRecord } from "../../core/record.js";
import type {
  CorruptRecord,
  DataWrite,
  SessionStore,
  SupersedeOptions,
  WriteOutcome,
} from "../../core/store.js";
import { bounded, isErrorReply, runScript } from "./call.js";
import { driverFor, type RedisClientLike, type RedisDriver } from "./client.js";
import { dataField, decodeRecord, encodeData, encodedBytes, encodeRecord } from "./encoding.js";
import { DEFAULT_PREFIX, keyLayout, type KeyLayout } from "./keys.js";
import { replyHash, replyInteger, replyStatus, replyText } from "./reply.js";
import { SCRIPTS, type RedisScript } from "./scripts.js";
import { emitEvent } from "../../core/emit.js";

/** Options of {@link RedisStore}. Checked once, when the store is built. */
export interface RedisStoreOptions {
  /**
   * A connected `ioredis` client (`Redis`, `Cluster`, or `Redis` with Sentinel) or a node-redis
   * client (`createClient`, `createCluster`, `createSentinel`). The store never closes it.
   * It must not queue commands without bound while disconnected: ioredis with
   * `enableOfflineQueue: false` or a finite `maxRetriesPerRequest` (a Cluster needs
   * `enableOfflineQueue: false`), node-redis with `disableOfflineQueue: true`.
   */
  client: RedisClientLike;
  /**
   * Starts every key, in braces as the Cluster hash tag: `{latchkey:}s:<id>`. 1 to 64
   * characters from `A-Z a-z 0-9 : . _ -`. @default "latchkey:"
   */
  prefix?: string;
  /** Every command fails with a `StoreError` after this long. @default 2000 */
  commandTimeoutMs?: number;
  /** Receives `store.corrupt-record` for corrupt records met while listing a user's sessions. */
  onEvent?: EventHandler;
  /**
   * The largest stored record (fields and values, UTF-8), in bytes. A write past it throws
   * `SessionDataTooLargeError` and writes nothing. A backstop behind the manager's
   * `maxDataBytes`, which also holds when concurrent patches add up. @default 1048576
   */
  maxRecordBytes?: number;
  /**
   * The clock TTLs are computed with, in milliseconds since the epoch. Pass the manager's
   * clock when it has its own. @default Date.now
   */
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 2_000;
const DEFAULT_MAX_RECORD_BYTES = 1_048_576;
const MAX_TIMEOUT_MS = 600_000;

/**
 * A `SessionStore` over Redis, for `ioredis` and node-redis, on one server, with Sentinel, or on
 * Redis Cluster.
 *
 * Layout: a session is a hash at `{prefix}s:<id>`, one field per record field and one per data
 * key; a user's sessions are a sorted set at `{prefix}u:<userId>`, scored by each session's
 * latest deadline. The braces make the prefix a hash tag, so all of one store's keys hash to
 * one Cluster slot and every multi-key script (create with its index entry, a rotation, a
 * revoke of all a user's sessions) runs on one node, atomically. The cost: on a Cluster, one
 * store's sessions live on one master; stores with different prefixes spread over the slots.
 *
 * Round trips: `get` is one HGETALL; every write is one EVALSHA (an EVAL once after the server
 * lost its script cache). Every key carries a TTL from the record's `expiresAt`, computed from
 * this process's clock and sent as a relative `PEXPIRE`, so a skewed server clock does not
 * shorten sessions; a deadline already past deletes the key instead. User indexes are pruned
 * of dead entries as they are met and expire after their last session.
 *
 * Guarantees: writes never create a record except `create` and `supersede` and never revive a
 * record that is not active; a rotation leaves at most one successor; a revoke is seen by
 * every instance's next `get`, since reads go to the master. Limitations: Redis replicates
 * asynchronously, so a failover may lose the last writes, a revoke included; durability is the
 * server's own (AOF/RDB).
 */
export class RedisStore implements SessionStore {
  readonly #driver: RedisDriver;
  readonly #keys: KeyLayout;
  readonly #timeoutMs: number;
  readonly #maxRecordBytes: number;
  readonly #onEvent: EventHandler | undefined;
  readonly #now: () => number;

  /**
   * @throws ConfigError (`store.*`) for a bad prefix, timeout or size limit, or a client that is
   *   not supported or is configured unsafely (see {@link RedisStoreOptions.client}).
   */
  constructor(options: RedisStoreOptions) {
    if (typeof options !== "object" || options === null) {
      throw new ConfigError("store", "options are required");
    }

    this.#driver = driverFor(options.client);
    this.#keys = keyLayout(options.prefix ?? DEFAULT_PREFIX);
    this.#timeoutMs = positiveInteger(
      "store.commandTimeoutMs",
      options.commandTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      MAX_TIMEOUT_MS,
    );
    this.#maxRecordBytes = positiveInteger(
      "store.maxRecordBytes",
      options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
      Number.MAX_SAFE_INTEGER,
    );
    if (options.onEvent !== undefined && typeof options.onEvent !== "function") {
      throw new ConfigError("store.onEvent", "must be a function");
    }
    this.#onEvent = options.onEvent;
    if (options.now !== undefined && typeof options.now !== "function") {
      throw new ConfigError("store.now", "must be a function");
    }
    this.#now = options.now ?? Date.now;
    // Every read is decoded and checked (checkStoredRecord): the core need not check it again.
    trustStoreReads(this);
  }

  /** One HGETALL. A hash that is not a valid record, or a key of another type, is corrupt. */
  async get(id: string): Promise<SessionRecord | CorruptRecord | null> {
    const key = this.#keys.session(id);
    const reply = await bounded("get", this.#timeoutMs, async () => {
      try {
        return await this.#driver.hgetall(key);
      } catch (error) {
        if (isErrorReply(error) && (error as Error).message.startsWith("WRONGTYPE")) {
          return WRONG_TYPE;
        }
        throw error;
      }
    });

    if (reply === WRONG_TYPE) return { corrupt: true, id, detail: "not a hash" };
    const hash = replyHash(reply);
    if (hash === undefined) throw unexpectedReply("get");
    if (hash.size === 0) return null;

    const record = decodeRecord(hash, id);
    return typeof record === "string" ? { corrupt: true, id, detail: record } : record;
  }

  /** Inserts the record and its user-index entry in one script; never overwrites. */
  async create(record: SessionRecord): Promise<"created" | "exists"> {
    const now = this.#now();
    const indexKey = record.userId === null ? null : this.#keys.user(record.userId);
    const fields = this.#checkedFields(encodeRecord(record, indexKey));
    const keys = [this.#keys.session(record.id), ...(indexKey === null ? [] : [indexKey])];
    const args = [text(now), ttl(record.expiresAt, now), text(indexScore(record)), record.id];

    const reply = await this.#run("create", SCRIPTS.create, keys, [...args, ...fields]);
    if (reply === 1) return "created";
    if (reply === 0) return "exists";
    throw unexpectedReply("create");
  }

  /**
   * Moves the renewal fields forward (never back) and the key's TTL with them, in one script.
   * A touch that also carries `previousLastSeenAt` (the value its validate read) is written only
   * while the stored `lastSeenAt` still has that value: of racing renewals, one writes and the
   * others report `true` without writing.
   */
  async touch(id: string, touch: RecordTouch): Promise<boolean> {
    const now = this.#now();
    const previous = touch.previousLastSeenAt;
    const args = [
      text(now),
      id,
      text(touch.lastSeenAt),
      text(touch.idleExpiresAt),
      text(touch.expiresAt),
      typeof previous === "number" ? text(previous) : "",
    ];

    const reply = await this.#run("touch", SCRIPTS.touch, [this.#keys.session(id)], args);
    if (reply === 1 || reply === 0) return reply === 1;
    throw unexpectedReply("touch");
  }

  /**
   * Applies a patch to single data fields, or replaces them all, and raises the version, in
   * one script; other data keys are not read back and rewritten, so concurrent patches of
   * different keys both keep their change.
   * @throws SessionDataTooLargeError when the record would exceed `maxRecordBytes`.
   */
  async writeData(
    id: string,
    write: DataWrite,
    expectedVersion: number | null,
  ): Promise<WriteOutcome> {
    const now = this.#now();
    const set = encodeData(write.kind === "patch" ? write.set : write.data);
    const deletes = write.kind === "patch" ? write.delete.map(dataField) : [];
    this.#checkedFields(set);
    const args = [
      text(now),
      id,
      expectedVersion === null ? "" : text(expectedVersion),
      write.kind,
      text(this.#maxRecordBytes),
      text(set.length),
      ...set,
      ...deletes,
    ];

    const reply = replyStatus(
      await this.#run("writeData", SCRIPTS.writeData, [this.#keys.session(id)], args),
    );
    if (reply?.status === "ok" && reply.count !== null) return { ok: true, version: reply.count };
    if (reply?.status === "too-large" && reply.count !== null) {
      throw new SessionDataTooLargeError(reply.count, this.#maxRecordBytes);
    }
    return this.#failedWrite("writeData", reply?.status);
  }

  /** Checks the old record, inserts the successor and its index entry, retires the old, at once. */
  async supersede(
    oldId: string,
    expectedVersion: number,
    successor: SessionRecord,
    options: SupersedeOptions,
  ): Promise<WriteOutcome> {
    const now = this.#now();
    const indexKey = successor.userId === null ? null : this.#keys.user(successor.userId);
    const fields = this.#checkedFields(encodeRecord(successor, indexKey));
    const keys = [this.#keys.session(oldId), this.#keys.session(successor.id)];
    if (indexKey !== null) keys.push(indexKey);
    const args = [
      text(now),
      oldId,
      text(expectedVersion),
      text(options.expiresAt),
      JSON.stringify(options.graceUntil),
      JSON.stringify(successor.id),
      ttl(successor.expiresAt, now),
      text(indexScore(successor)),
      successor.id,
      ...fields,
    ];

    const reply = replyStatus(await this.#run("supersede", SCRIPTS.supersede, keys, args));
    if (reply?.status === "ok") return { ok: true, version: successor.version };
    if (reply?.status === "exists") {
      throw new StoreError(
        "store-reply",
        "supersede",
        "the successor's id is taken; nothing was written",
      );
    }
    return this.#failedWrite("supersede", reply?.status);
  }

  /** Turns the record into a tombstone in one script; `true` when it was active. */
  async markRevoked(id: string, tombstoneUntil: number): Promise<boolean> {
    const args = [text(this.#now()), id, text(tombstoneUntil)];

    const reply = await this.#run(
      "markRevoked",
      SCRIPTS.markRevoked,
      [this.#keys.session(id)],
      args,
    );
    if (reply === 1 || reply === 0) return reply === 1;
    throw unexpectedReply("markRevoked");
  }

  /** Revokes every active session in the user's index, in one script. */
  async markRevokedByUser(
    userId: string,
    tombstoneUntil: number,
    exceptId: string | null,
  ): Promise<number> {
    const keys = [this.#keys.user(userId)];
    const args = [
      text(this.#now()),
      text(tombstoneUntil),
      exceptId ?? "",
      this.#keys.sessionPrefix,
    ];

    const count = replyInteger(
      await this.#run("markRevokedByUser", SCRIPTS.markRevokedByUser, keys, args),
    );
    if (count === undefined || count < 0) throw unexpectedReply("markRevokedByUser");
    return count;
  }

  /** Reads the user's index and records in one script, pruning entries whose record is gone. */
  async listByUser(userId: string): Promise<SessionRecord[]> {
    const now = this.#now();
    const keys = [this.#keys.user(userId)];
    const args = [text(now), this.#keys.sessionPrefix];

    const reply = await this.#run("listByUser", SCRIPTS.listByUser, keys, args);
    if (!Array.isArray(reply)) throw unexpectedReply("listByUser");
    const records: SessionRecord[] = [];
    for (const entry of reply) {
      const id = Array.isArray(entry) ? replyText(entry[0]) : undefined;
      const hash = Array.isArray(entry) ? replyHash(entry[1]) : undefined;
      if (id === undefined || hash === undefined) throw unexpectedReply("listByUser");
      const record = decodeRecord(hash, id);
      if (typeof record !== "string") records.push(record);
      else
        this.#emit({
          type: "store.corrupt-record",
          at: now,
          sessionIdPrefix: id.slice(0, 8),
          detail: record,
        });
    }
    return records;
  }

  /** Deletes the key, whatever its type, and the index entry it names. */
  async delete(id: string): Promise<void> {
    await this.#run("delete", SCRIPTS.delete, [this.#keys.session(id)], [id]);
  }

  #run(operation: string, script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    return bounded(operation, this.#timeoutMs, () => runScript(this.#driver, script, keys, args));
  }

  #checkedFields(fields: string[]): string[] {
    const bytes = encodedBytes(fields);

    if (bytes > this.#maxRecordBytes)
      throw new SessionDataTooLargeError(bytes, this.#maxRecordBytes);
    return fields;
  }

  #failedWrite(operation: string, status: string | undefined): WriteOutcome {
    if (status === "missing" || status === "inactive" || status === "conflict") {
      return { ok: false, reason: status };
    }
    throw unexpectedReply(operation);
  }

  // A throwing or rejecting handler must not break the store call (the app's bug, not a fault).
  #emit(event: SessionEvent): void {
    emitEvent(this.#onEvent, event);
  }
}

const WRONG_TYPE = Symbol("wrong type");

// A time or count as the decimal text Redis and Lua expect.
function text(value: number): string {
  return String(value);
}

// Whole milliseconds until `expiresAt`, rounded up so that 400 ms left is 400 (never 0): a
// value <= 0 tells the script to delete or skip the key instead (FR-04).
function ttl(expiresAt: number, now: number): string {
  return String(Math.ceil(expiresAt - now));
}

// The index keeps an entry until the session's latest deadline: the absolute deadline (or a
// later expiresAt); a renewal or rotation that moves expiresAt past it raises the score.
function indexScore(record: SessionRecord): number {
  return Math.max(record.absoluteExpiresAt, record.expiresAt);
}

function unexpectedReply(operation: string): StoreError {
  return new StoreError("store-reply", operation, "Redis gave a reply of an unexpected shape");
}

function positiveInteger(field: string, value: unknown, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new ConfigError(field, `must be a whole number from 1 to ${max}`);
  }
  return value;
}
