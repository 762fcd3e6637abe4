import { describe, expect, it } from "vitest";
import { makeRecord, makeUserId } from "../support/records.js";
import { createRecord, getRecord, idsOf, isCorrupt, type HarnessRef } from "./helpers.js";
import type { CorruptVariant } from "./store-contract.js";

const VARIANTS: readonly CorruptVariant[] = ["bad-json", "wrong-types", "seconds-not-ms"];

/**
 * Clauses about expiry on write (FR-04, SF-08), concurrent reads (CON-02) and undecodable
 * records (SF-04).
 */
export function robustnessClauses(harness: HarnessRef, options: { corruptRecords: boolean }): void {
  describe("writes that leave expiresAt in the past", () => {
    it("create with expiresAt in the past resolves and leaves no record", async () => {
      const { store } = harness();
      const now = Date.now();
      const record = makeRecord({ expiresAt: now - 1_000, idleExpiresAt: now - 1_000 });

      await expect(store.create(record)).resolves.toBeTypeOf("string");

      expect(await store.get(record.id)).toBeNull();
      expect(await store.listByUser(record.userId as string)).toEqual([]);
    });

    it("create with expiresAt exactly now resolves and leaves no record", async () => {
      const { store } = harness();
      const now = Date.now();
      const record = makeRecord({ expiresAt: now, idleExpiresAt: now });

      await expect(store.create(record)).resolves.toBeTypeOf("string");

      expect(await store.get(record.id)).toBeNull();
    });

    it("touch with expiresAt in the past resolves and deletes the record", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      const lastSeenAt = record.lastSeenAt + 1;

      await expect(
        store.touch(record.id, {
          lastSeenAt,
          idleExpiresAt: Date.now() - 5_000,
          expiresAt: Date.now() - 5_000,
        }),
      ).resolves.toBeTypeOf("boolean");

      expect(await store.get(record.id)).toBeNull();
      expect(await store.listByUser(record.userId as string)).toEqual([]);
    });

    it("supersede with expiresAt in the past deletes the old record only", async () => {
      const { store } = harness();
      const old = makeRecord();
      await createRecord(store, old);
      const successor = makeRecord({ userId: old.userId });

      const outcome = await store.supersede(old.id, old.version, successor, {
        graceUntil: null,
        expiresAt: Date.now() - 1_000,
      });

      expect(outcome.ok).toBe(true);
      expect(await store.get(old.id)).toBeNull();
      expect(await getRecord(store, successor.id)).toEqual(successor);
      expect(idsOf(await store.listByUser(old.userId as string))).toEqual([successor.id]);
    });

    it("markRevoked with tombstoneUntil in the past deletes the record", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);

      expect(await store.markRevoked(record.id, Date.now() - 1_000)).toBe(true);

      expect(await store.get(record.id)).toBeNull();
    });
  });

  describe("concurrent reads", () => {
    it("returns the record to each of 1000 parallel gets (CON-02)", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);

      const results = await Promise.all(Array.from({ length: 1000 }, () => store.get(record.id)));

      expect(results.every((result) => result !== null && !isCorrupt(result))).toBe(true);
      expect(results.every((result) => result?.id === record.id)).toBe(true);
      expect(results[999]).toEqual(record);
      expect(idsOf(await store.listByUser(record.userId as string))).toEqual([record.id]);
    });
  });

  if (!options.corruptRecords) return;

  describe("undecodable records", () => {
    it.each(VARIANTS)("get returns a CorruptRecord for %s and does not throw", async (variant) => {
      const { store, writeCorrupt } = harness();
      if (writeCorrupt === undefined) throw new Error("the harness must provide writeCorrupt");
      const id = makeRecord().id;

      await writeCorrupt(id, variant);
      const found = await store.get(id);

      expect(found).toMatchObject({ corrupt: true, id });
      expect(isCorrupt(found) ? typeof found.detail : null).toBe("string");
    });

    it.each(VARIANTS)("listByUser leaves out a record spoiled by %s", async (variant) => {
      const { store, writeCorrupt } = harness();
      if (writeCorrupt === undefined) throw new Error("the harness must provide writeCorrupt");
      const userId = makeUserId();
      const spoiled = makeRecord({ userId });
      const sound = makeRecord({ userId });
      await Promise.all([spoiled, sound].map((record) => createRecord(store, record)));

      await writeCorrupt(spoiled.id, variant);
      const listed = await store.listByUser(userId);

      expect(idsOf(listed)).toEqual([sound.id]);
      expect(isCorrupt(await store.get(spoiled.id))).toBe(true);
    });

    it("delete removes a corrupt record", async () => {
      const { store, writeCorrupt } = harness();
      if (writeCorrupt === undefined) throw new Error("the harness must provide writeCorrupt");
      const record = makeRecord();
      await createRecord(store, record);
      await writeCorrupt(record.id, "bad-json");

      await store.delete(record.id);

      expect(await store.get(record.id)).toBeNull();
    });
  });
}
