import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import type { ClientFacts, SessionData, SessionRecord, SessionState } from "../../core/record.js";
import { copyData } from "./copy.js";

// A slot's numeric fields sit side by side in one Float64Array, NUMBER_FIELDS doubles per slot.
// Kept as plain object properties, each of these times would be a separately allocated heap
// number (V8 boxes doubles that do not fit a small integer), several times the 8 bytes here.
const CREATED_AT = 0;
const LAST_SEEN_AT = 1;
const IDLE_EXPIRES_AT = 2;
const ABSOLUTE_EXPIRES_AT = 3;
const IDLE_TIMEOUT_MS = 4;
const AUTHENTICATED_AT = 5;
const VERSION = 6;
const NUMBER_FIELDS = 7;

// One flag byte per slot. The nullable time carries a presence bit instead of a NaN marker, so
// every number a caller stores comes back exactly as it was.
const STATE_BITS = 0b11;
const PERSISTENT = 0b100;
const HAS_AUTHENTICATED_AT = 0b1000;
const HAS_LINK = 0b1_0000;
const STATES: readonly SessionState[] = ["active", "superseded", "revoked"];
const SUPERSEDED = 1;
const REVOKED = 2;

// A secret hash is SHA-256 in base64url: 32 bytes kept raw cost less than half of its 43-character
// string. A hash in any other form (a store is not the place to judge it) is kept as text.
const HASH_BYTES = 32;
const HASH_TEXT_LENGTH = 43;

const INITIAL_CAPACITY = 64;
// What a free slot's data points at, so a freed record's data can be collected.
const NO_DATA: SessionData = Object.freeze({}) as SessionData;

/** The fields only a rotated record usually has, kept apart so other records pay nothing. */
interface Link {
  successorId: string | null;
  graceUntil: number | null;
}

/**
 * The memory store's records in a slot-based table: numbers in typed-array columns, strings and
 * objects in plain arrays, one index per record, reused through a free list. A record costs no
 * object of its own while stored; {@link RecordColumns.read} builds a fresh one on each call.
 * `expiresAt` is not here: the expiry queue holds it. The columns grow by doubling and keep their
 * peak size, which the store's cap bounds.
 */
export class RecordColumns {
  #numbers = new Float64Array(INITIAL_CAPACITY * NUMBER_FIELDS);
  #flags = new Uint8Array(INITIAL_CAPACITY);
  #hashes = new Uint8Array(INITIAL_CAPACITY * HASH_BYTES);
  readonly #ids: string[] = [];
  readonly #textHashes = new Map<number, string>();
  readonly #userIds: (string | null)[] = [];
  readonly #data: SessionData[] = [];
  readonly #clients: (ClientFacts | null)[] = [];
  readonly #links = new Map<number, Link>();
  readonly #freeSlots: number[] = [];

  /** Stores a deep copy of `record` and returns its slot. */
  alloc(record: SessionRecord): number {
    const slot = this.#freeSlots.pop() ?? this.#ids.length;
    if (slot >= this.#flags.length) this.#grow();
    const base = slot * NUMBER_FIELDS;
    const numbers = this.#numbers;
    const client = record.client;

    // Assigning at index `length` appends, so the plain arrays stay densely packed.
    this.#ids[slot] = record.id;
    this.#storeHash(slot, record.secretHash);
    this.#userIds[slot] = record.userId;
    this.#data[slot] = copyData(record.data);
    this.#clients[slot] = client === null ? null : { ip: client.ip, userAgent: client.userAgent };
    const linked = record.successorId !== null || record.graceUntil !== null;
    if (linked) {
      this.#links.set(slot, { successorId: record.successorId, graceUntil: record.graceUntil });
    }

    numbers[base + CREATED_AT] = record.createdAt;
    numbers[base + LAST_SEEN_AT] = record.lastSeenAt;
    numbers[base + IDLE_EXPIRES_AT] = record.idleExpiresAt;
    numbers[base + ABSOLUTE_EXPIRES_AT] = record.absoluteExpiresAt;
    numbers[base + IDLE_TIMEOUT_MS] = record.idleTimeoutMs;
    numbers[base + AUTHENTICATED_AT] = record.authenticatedAt ?? 0;
    numbers[base + VERSION] = record.version;

    this.#flags[slot] =
      stateCode(record.state) |
      (record.persistent ? PERSISTENT : 0) |
      (record.authenticatedAt === null ? 0 : HAS_AUTHENTICATED_AT) |
      (linked ? HAS_LINK : 0);
    return slot;
  }

  /** Releases a slot for reuse and drops its references, so its strings and data can go. */
  free(slot: number): void {
    this.#ids[slot] = "";
    this.#textHashes.delete(slot);
    this.#userIds[slot] = null;
    this.#data[slot] = NO_DATA;
    this.#clients[slot] = null;
    this.#links.delete(slot);
    this.#freeSlots.push(slot);
  }

  /**
   * A fresh deep copy of the record in `slot` with the given deadline, always with the same
   * property order (one object shape).
   */
  read(slot: number, expiresAt: number): SessionRecord {
    const base = slot * NUMBER_FIELDS;
    const numbers = this.#numbers;
    const flags = this.#flags[slot] as number;
    const client = this.#clients[slot] ?? null;
    // The flag spares the map lookup for the many records that have no link.
    const link = (flags & HAS_LINK) === 0 ? undefined : this.#links.get(slot);

    return {
      id: this.id(slot),
      secretHash: this.#readHash(slot),
      userId: this.userId(slot),
      data: copyData(this.data(slot)),
      createdAt: numbers[base + CREATED_AT] as number,
      lastSeenAt: numbers[base + LAST_SEEN_AT] as number,
      idleExpiresAt: numbers[base + IDLE_EXPIRES_AT] as number,
      absoluteExpiresAt: numbers[base + ABSOLUTE_EXPIRES_AT] as number,
      idleTimeoutMs: numbers[base + IDLE_TIMEOUT_MS] as number,
      authenticatedAt:
        (flags & HAS_AUTHENTICATED_AT) === 0 ? null : (numbers[base + AUTHENTICATED_AT] as number),
      persistent: (flags & PERSISTENT) !== 0,
      client: client === null ? null : { ip: client.ip, userAgent: client.userAgent },
      version: this.version(slot),
      state: this.state(slot),
      successorId: link?.successorId ?? null,
      graceUntil: link?.graceUntil ?? null,
      expiresAt,
    };
  }

  /** The record's id. */
  id(slot: number): string {
    return this.#ids[slot] as string;
  }

  /** The record's user id, or `null` for an anonymous session. */
  userId(slot: number): string | null {
    return this.#userIds[slot] ?? null;
  }

  /** The record's state. */
  state(slot: number): SessionState {
    return STATES[(this.#flags[slot] as number) & STATE_BITS] as SessionState;
  }

  /** The record's data version. */
  version(slot: number): number {
    return this.#numbers[slot * NUMBER_FIELDS + VERSION] as number;
  }

  /** When a request last renewed the record. */
  lastSeenAt(slot: number): number {
    return this.#numbers[slot * NUMBER_FIELDS + LAST_SEEN_AT] as number;
  }

  /** The stored data itself, not a copy: only for the store to patch in place. */
  data(slot: number): SessionData {
    return this.#data[slot] ?? NO_DATA;
  }

  /** Records a renewal. */
  renew(slot: number, lastSeenAt: number, idleExpiresAt: number): void {
    this.#numbers[slot * NUMBER_FIELDS + LAST_SEEN_AT] = lastSeenAt;
    this.#numbers[slot * NUMBER_FIELDS + IDLE_EXPIRES_AT] = idleExpiresAt;
  }

  /** Replaces the data with `data`, which the caller hands over (a copy it owns). */
  setData(slot: number, data: SessionData, version: number): void {
    this.#data[slot] = data;
    this.#numbers[slot * NUMBER_FIELDS + VERSION] = version;
  }

  /** Marks the record superseded by `successorId`; its token leads there until `graceUntil`. */
  supersede(slot: number, successorId: string, graceUntil: number | null): void {
    const flags = (this.#flags[slot] as number) & ~STATE_BITS;

    this.#links.set(slot, { successorId, graceUntil });
    this.#flags[slot] = flags | SUPERSEDED | HAS_LINK;
  }

  /** Turns the record into a revoked tombstone and forgets its data. */
  revoke(slot: number): void {
    this.#data[slot] = {};
    this.#flags[slot] = ((this.#flags[slot] as number) & ~STATE_BITS) | REVOKED;
  }

  #storeHash(slot: number, hash: string): void {
    const bytes = hash.length === HASH_TEXT_LENGTH ? decodeHash(hash) : null;
    if (bytes === null || encodeBase64urlNoPadding(bytes) !== hash) {
      this.#textHashes.set(slot, hash);
      return;
    }
    this.#textHashes.delete(slot);
    this.#hashes.set(bytes, slot * HASH_BYTES);
  }

  #readHash(slot: number): string {
    const text = this.#textHashes.get(slot);
    if (text !== undefined) return text;
    const start = slot * HASH_BYTES;
    return encodeBase64urlNoPadding(this.#hashes.subarray(start, start + HASH_BYTES));
  }

  #grow(): void {
    const numbers = new Float64Array(this.#numbers.length * 2);
    const flags = new Uint8Array(this.#flags.length * 2);
    const hashes = new Uint8Array(this.#hashes.length * 2);

    numbers.set(this.#numbers);
    flags.set(this.#flags);
    hashes.set(this.#hashes);
    this.#numbers = numbers;
    this.#flags = flags;
    this.#hashes = hashes;
  }
}

// An unknown state (outside the SessionState union) is kept as revoked: it fails closed.
function stateCode(state: SessionState): number {
  const code = STATES.indexOf(state);
  return code === -1 ? REVOKED : code;
}

function decodeHash(hash: string): Uint8Array | null {
  try {
    const bytes = decodeBase64urlIgnorePadding(hash);
    return bytes.length === HASH_BYTES ? bytes : null;
  } catch {
    return null;
  }
}
