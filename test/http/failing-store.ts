/**
 * A failure-injecting wrapper over a real store: while `failing` is on, every call rejects with a
 * `StoreError`, as an unreachable server would. It also counts writes, so a test can assert that
 * a request changed nothing.
 */
import { StoreError } from "../../src/core/errors.js";
import type { DataWrite, SessionStore, SupersedeOptions } from "../../src/core/store.js";
import type { RecordTouch, SessionRecord } from "../../src/core/record.js";

export class FailingStore implements SessionStore {
  failing = false;
  writes = 0;
  readonly #inner: SessionStore;

  constructor(inner: SessionStore) {
    this.#inner = inner;
  }

  #guard(operation: string, write: boolean): void {
    if (this.failing) {
      throw new StoreError("store-unavailable", operation, "injected outage", {
        cause: new Error("connect ECONNREFUSED 127.0.0.1:1"),
      });
    }
    if (write) this.writes += 1;
  }

  async get(id: string) {
    this.#guard("get", false);
    return this.#inner.get(id);
  }

  async create(record: SessionRecord) {
    this.#guard("create", true);
    return this.#inner.create(record);
  }

  async touch(id: string, touch: RecordTouch) {
    this.#guard("touch", true);
    return this.#inner.touch(id, touch);
  }

  async writeData(id: string, write: DataWrite, expectedVersion: number | null) {
    this.#guard("writeData", true);
    return this.#inner.writeData(id, write, expectedVersion);
  }

  async supersede(
    oldId: string,
    expectedVersion: number,
    successor: SessionRecord,
    options: SupersedeOptions,
  ) {
    this.#guard("supersede", true);
    return this.#inner.supersede(oldId, expectedVersion, successor, options);
  }

  async markRevoked(id: string, tombstoneUntil: number) {
    this.#guard("markRevoked", true);
    return this.#inner.markRevoked(id, tombstoneUntil);
  }

  async markRevokedByUser(userId: string, tombstoneUntil: number, exceptId: string | null) {
    this.#guard("markRevokedByUser", true);
    return this.#inner.markRevokedByUser(userId, tombstoneUntil, exceptId);
  }

  async listByUser(userId: string) {
    this.#guard("listByUser", false);
    return this.#inner.listByUser(userId);
  }

  async delete(id: string) {
    this.#guard("delete", true);
    return this.#inner.delete(id);
  }
}
