import { expect } from "vitest";
import type { SessionData, SessionRecord } from "../../src/core/record.js";
import type { CorruptRecord, DataWrite, SessionStore } from "../../src/core/store.js";
import type { ContractHarness } from "./store-contract.js";

/** Gives the open harness to a clause; throws when the suite's `beforeAll` failed. */
export type HarnessRef = () => ContractHarness;

/** Whether a `get` result is a {@link CorruptRecord}. */
export function isCorrupt(value: SessionRecord | CorruptRecord | null): value is CorruptRecord {
  return value !== null && "corrupt" in value && value.corrupt === true;
}

/** Reads `id` and asserts that a well-formed record came back. */
export async function getRecord(store: SessionStore, id: string): Promise<SessionRecord> {
  const found = await store.get(id);

  expect(found, `get(${id.slice(0, 8)}…) should find a record`).not.toBeNull();
  if (found === null || isCorrupt(found)) throw new Error(`expected a record for ${id}`);
  return found;
}

/** Creates `record` and asserts that it was new. */
export async function createRecord(store: SessionStore, record: SessionRecord): Promise<void> {
  expect(await store.create(record)).toBe("created");
}

/** Sorted ids of some records, for order-free comparison. */
export function idsOf(records: readonly SessionRecord[]): string[] {
  return records.map((record) => record.id).sort();
}

/** A per-key data write. */
export function patch(set: SessionData, remove: string[] = []): DataWrite {
  return { kind: "patch", set, delete: remove };
}

/** A whole-data write. */
export function replace(data: SessionData): DataWrite {
  return { kind: "replace", data };
}
