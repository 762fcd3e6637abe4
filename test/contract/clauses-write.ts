import { describe, expect, it } from "vitest";
import type { RecordTouch, SessionRecord } from "../../src/core/record.js";
import { HOUR_MS, makeRecord } from "../support/records.js";
import { createRecord, getRecord, patch, replace, type HarnessRef } from "./helpers.js";

const TOMBSTONE_MS = 600_000;

/** A renewal `aheadMs` after the record's last activity. */
function touchAfter(record: SessionRecord, aheadMs: number): RecordTouch {
  const lastSeenAt = record.lastSeenAt + aheadMs;
  return { lastSeenAt, idleExpiresAt: lastSeenAt + HOUR_MS, expiresAt: lastSeenAt + HOUR_MS };
}

/** Clauses of `touch` and `writeData`. */
export function writeClauses(harness: HarnessRef): void {
  describe("touch", () => {
    it("moves lastSeenAt, idleExpiresAt and expiresAt forward and leaves the rest", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      const touch = touchAfter(record, 5_000);

      expect(await store.touch(record.id, touch)).toBe(true);

      expect(await getRecord(store, record.id)).toEqual({ ...record, ...touch });
    });

    it("never creates a record for an unknown id", async () => {
      const { store } = harness();
      const unknown = makeRecord();

      expect(await store.touch(unknown.id, touchAfter(unknown, 1_000))).toBe(false);

      expect(await store.get(unknown.id)).toBeNull();
    });

    it("returns false for a revoked record and writes nothing", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      await store.markRevoked(record.id, Date.now() + TOMBSTONE_MS);
      const before = await getRecord(store, record.id);

      expect(await store.touch(record.id, touchAfter(record, 5_000))).toBe(false);

      expect(await getRecord(store, record.id)).toEqual(before);
    });

    it("returns false for a superseded record and writes nothing", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      const options = { graceUntil: Date.now() + 10_000, expiresAt: Date.now() + TOMBSTONE_MS };
      await store.supersede(record.id, record.version, makeRecord(), options);
      const before = await getRecord(store, record.id);

      expect(await store.touch(record.id, touchAfter(record, 5_000))).toBe(false);

      expect(await getRecord(store, record.id)).toEqual(before);
    });

    it("never moves lastSeenAt backwards", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      const later = touchAfter(record, 10_000);
      await store.touch(record.id, later);

      await store.touch(record.id, touchAfter(record, 5_000));

      const stored = await getRecord(store, record.id);
      expect(stored.lastSeenAt).toBe(later.lastSeenAt);
      expect(stored.state).toBe("active");
    });

    it("writes only the first of racing renewals that name their previousLastSeenAt", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      const from = { previousLastSeenAt: record.lastSeenAt };
      const first = { ...touchAfter(record, 5_000), ...from };
      const second = { ...touchAfter(record, 9_000), ...from };

      expect(await store.touch(record.id, first)).toBe(true);
      expect(await store.touch(record.id, second)).toBe(true);

      const stored = await getRecord(store, record.id);
      expect(stored.lastSeenAt).toBe(first.lastSeenAt);
      expect(stored.idleExpiresAt).toBe(first.idleExpiresAt);
    });

    it("does not change the version", async () => {
      const { store } = harness();
      const record = makeRecord({ version: 4 });
      await createRecord(store, record);

      await store.touch(record.id, touchAfter(record, 1_000));
      await store.touch(record.id, touchAfter(record, 2_000));

      expect((await getRecord(store, record.id)).version).toBe(4);
    });
  });

  describe("writeData", () => {
    it("applies a patch: sets and deletes keys and raises the version by one", async () => {
      const { store } = harness();
      const record = makeRecord({ data: { keep: 1, drop: "x", change: "old" } });
      await createRecord(store, record);
      const write = patch({ change: "new", added: [1] }, ["drop"]);

      expect(await store.writeData(record.id, write, null)).toEqual({ ok: true, version: 2 });

      const stored = await getRecord(store, record.id);
      expect(stored.data).toEqual({ keep: 1, change: "new", added: [1] });
      expect(stored.version).toBe(2);
      expect(stored.lastSeenAt).toBe(record.lastSeenAt);
      expect(stored.expiresAt).toBe(record.expiresAt);
    });

    it("keeps every one of 50 concurrent patches to different keys", async () => {
      const { store } = harness();
      const record = makeRecord({ data: {} });
      await createRecord(store, record);
      const keys = Array.from({ length: 50 }, (_, index) => `key${index}`);

      const outcomes = await Promise.all(
        keys.map((key, index) => store.writeData(record.id, patch({ [key]: index }), null)),
      );

      expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
      const stored = await getRecord(store, record.id);
      expect(stored.data).toEqual(Object.fromEntries(keys.map((key, index) => [key, index])));
      expect(stored.version).toBe(record.version + 50);
      const versions = outcomes.map((outcome) => (outcome.ok ? outcome.version : 0));
      expect(new Set(versions).size).toBe(50);
    });

    it("replaces the whole data when given the stored version", async () => {
      const { store } = harness();
      const record = makeRecord({ version: 3, data: { old: true, other: 1 } });
      await createRecord(store, record);

      const outcome = await store.writeData(record.id, replace({ new: "yes" }), 3);

      expect(outcome).toEqual({ ok: true, version: 4 });
      expect(await getRecord(store, record.id)).toEqual({
        ...record,
        data: { new: "yes" },
        version: 4,
      });
    });

    it("replaces the whole data whatever the version when expectedVersion is null", async () => {
      const { store } = harness();
      const record = makeRecord({ version: 8 });
      await createRecord(store, record);

      const outcome = await store.writeData(record.id, replace({ fresh: 1 }), null);

      expect(outcome).toEqual({ ok: true, version: 9 });
      expect((await getRecord(store, record.id)).data).toEqual({ fresh: 1 });
    });

    it("keeps no link to the written data: changing it afterwards changes nothing", async () => {
      const { store } = harness();
      const record = makeRecord({ data: {} });
      await createRecord(store, record);
      const patched = { list: [1, 2], nested: { a: "b" } };
      const replaced = { list: [3], nested: { c: "d" } };

      await store.writeData(record.id, patch(patched), null);
      patched.list.push(99);
      patched.nested.a = "changed";
      const afterPatch = (await getRecord(store, record.id)).data;
      await store.writeData(record.id, replace(replaced), null);
      replaced.list.length = 0;
      replaced.nested.c = "changed";

      expect(afterPatch).toEqual({ list: [1, 2], nested: { a: "b" } });
      expect((await getRecord(store, record.id)).data).toEqual({ list: [3], nested: { c: "d" } });
    });

    it("reports a conflict for a stale expectedVersion and writes nothing", async () => {
      const { store } = harness();
      const record = makeRecord({ version: 5 });
      await createRecord(store, record);

      const replaced = await store.writeData(record.id, replace({ x: 1 }), 4);
      const patched = await store.writeData(record.id, patch({ y: 2 }, ["theme"]), 6);

      expect(replaced).toEqual({ ok: false, reason: "conflict" });
      expect(patched).toEqual({ ok: false, reason: "conflict" });
      expect(await getRecord(store, record.id)).toEqual(record);
    });

    it('returns "missing" for an unknown id and creates nothing', async () => {
      const { store } = harness();
      const unknown = makeRecord();

      expect(await store.writeData(unknown.id, patch({ a: 1 }), null)).toEqual({
        ok: false,
        reason: "missing",
      });
      expect(await store.writeData(unknown.id, replace({ a: 1 }), 1)).toEqual({
        ok: false,
        reason: "missing",
      });
      expect(await store.get(unknown.id)).toBeNull();
    });

    it('returns "inactive" for a revoked record and does not revive it', async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      await store.markRevoked(record.id, Date.now() + TOMBSTONE_MS);
      const tombstone = await getRecord(store, record.id);

      expect(await store.writeData(record.id, patch({ a: 1 }), null)).toEqual({
        ok: false,
        reason: "inactive",
      });
      expect(await store.writeData(record.id, replace({ a: 1 }), tombstone.version)).toEqual({
        ok: false,
        reason: "inactive",
      });
      expect(await getRecord(store, record.id)).toEqual(tombstone);
    });

    it('returns "inactive" for a superseded record and writes nothing', async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      const options = { graceUntil: null, expiresAt: Date.now() + TOMBSTONE_MS };
      await store.supersede(record.id, record.version, makeRecord(), options);
      const before = await getRecord(store, record.id);

      expect(await store.writeData(record.id, patch({ a: 1 }), null)).toEqual({
        ok: false,
        reason: "inactive",
      });
      expect(await getRecord(store, record.id)).toEqual(before);
    });
  });
}
