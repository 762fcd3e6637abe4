import { describe, expect, it } from "vitest";
import type { SessionData } from "../../src/core/record.js";
import { makeRecord, makeUserId } from "../support/records.js";
import { createRecord, getRecord, idsOf, type HarnessRef } from "./helpers.js";

/** Clauses of `get`, `create`, `listByUser` and `delete`. */
export function readClauses(harness: HarnessRef): void {
  describe("get", () => {
    it("returns null for an unknown id", async () => {
      expect(await harness().store.get(makeRecord().id)).toBeNull();
    });

    it("returns a copy: changing the returned record does not change the store", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);

      const first = await getRecord(store, record.id);
      first.data.theme = "light";
      (first.data.cart as { items: unknown[] }).items.push("added");
      first.state = "revoked";
      if (first.client !== null) first.client.ip = "203.0.113.7";

      expect(await getRecord(store, record.id)).toEqual(record);
    });
  });

  describe("create", () => {
    it("stores a record that get returns field for field", async () => {
      const { store } = harness();
      const record = makeRecord({ persistent: true, authenticatedAt: Date.now() - 5_000 });

      await createRecord(store, record);

      expect(await getRecord(store, record.id)).toEqual(record);
    });

    it("stores an anonymous record with null user, client and authenticatedAt", async () => {
      const { store } = harness();
      const record = makeRecord({ userId: null, client: null, authenticatedAt: null, data: {} });

      await createRecord(store, record);

      expect(await getRecord(store, record.id)).toEqual(record);
    });

    it("round-trips non-ASCII, nested and numeric data exactly", async () => {
      const { store } = harness();
      const data = {
        name: "Zoë 名前 🍪",
        quote: 'a "quoted" \\ back\\slash\nnew line',
        deep: { a: { b: { c: [1, -2, 3.25, 1e21, 0] } } },
        empty: {},
        list: [],
        flag: false,
        nothing: null,
      };
      const record = makeRecord({
        data,
        client: { ip: "::1", userAgent: "Mozilla/5.0 (ünïcode) 🍪" },
      });

      await createRecord(store, record);

      expect((await getRecord(store, record.id)).data).toEqual(data);
    });

    it("keeps a data key named __proto__ as a plain key, changing no prototype", async () => {
      const { store } = harness();
      const data = JSON.parse('{"__proto__":{"polluted":true},"plain":1}') as SessionData;
      const record = makeRecord({ data });

      await createRecord(store, record);
      const stored = (await getRecord(store, record.id)).data;

      expect(Object.keys(stored).sort()).toEqual(["__proto__", "plain"]);
      expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(stored, "__proto__")?.value).toEqual({
        polluted: true,
      });
      expect(stored.plain).toBe(1);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it("keeps no link to the input: changing it after create changes nothing", async () => {
      const { store } = harness();
      const record = makeRecord();
      const snapshot = structuredClone(record);
      await createRecord(store, record);

      record.data.theme = "light";
      (record.data.cart as { items: unknown[] }).items.length = 0;
      record.version = 99;

      expect(await getRecord(store, record.id)).toEqual(snapshot);
    });

    it('returns "exists" for an id already stored and leaves the original unchanged', async () => {
      const { store } = harness();
      const original = makeRecord();
      await createRecord(store, original);
      const intruder = makeRecord({ id: original.id, data: { intruder: true }, version: 7 });

      expect(await store.create(intruder)).toBe("exists");

      expect(await getRecord(store, original.id)).toEqual(original);
      expect(idsOf(await store.listByUser(intruder.userId as string))).toEqual([]);
    });
  });

  describe("listByUser", () => {
    it("returns only that user's records, with many other users' records present", async () => {
      const { store } = harness();
      const userId = makeUserId();
      const mine = [makeRecord({ userId }), makeRecord({ userId }), makeRecord({ userId })];
      const others = Array.from({ length: 60 }, () => makeRecord());
      await Promise.all([...mine, ...others].map((record) => createRecord(store, record)));

      const listed = await store.listByUser(userId);

      expect(idsOf(listed)).toEqual(idsOf(mine));
      for (const record of mine) {
        expect(listed.find((item) => item.id === record.id)).toEqual(record);
      }
    });

    it("returns an empty list for a user with no records", async () => {
      expect(await harness().store.listByUser(makeUserId())).toEqual([]);
    });

    it("includes records in every state", async () => {
      const { store } = harness();
      const userId = makeUserId();
      const active = makeRecord({ userId });
      const revoked = makeRecord({ userId });
      const old = makeRecord({ userId });
      const successor = makeRecord({ userId });
      await Promise.all([active, revoked, old].map((record) => createRecord(store, record)));
      await store.markRevoked(revoked.id, Date.now() + 600_000);
      const options = { graceUntil: null, expiresAt: Date.now() + 600_000 };
      expect((await store.supersede(old.id, old.version, successor, options)).ok).toBe(true);

      const listed = await store.listByUser(userId);

      expect(idsOf(listed)).toEqual(idsOf([active, revoked, old, successor]));
      expect(listed.find((item) => item.id === revoked.id)?.state).toBe("revoked");
      expect(listed.find((item) => item.id === old.id)?.state).toBe("superseded");
    });

    it("returns copies: changing a listed record does not change the store", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);

      const [listed] = await store.listByUser(record.userId as string);
      if (listed === undefined) throw new Error("listByUser lost the record");
      listed.data.theme = "light";
      listed.state = "revoked";

      expect(await getRecord(store, record.id)).toEqual(record);
    });
  });

  describe("delete", () => {
    it("removes the record and its index entry", async () => {
      const { store } = harness();
      const userId = makeUserId();
      const gone = makeRecord({ userId });
      const kept = makeRecord({ userId });
      await Promise.all([gone, kept].map((record) => createRecord(store, record)));

      await store.delete(gone.id);

      expect(await store.get(gone.id)).toBeNull();
      expect(idsOf(await store.listByUser(userId))).toEqual([kept.id]);
      expect(await getRecord(store, kept.id)).toEqual(kept);
    });

    it("is a no-op for an unknown id", async () => {
      const { store } = harness();
      const unknown = makeRecord();

      await expect(store.delete(unknown.id)).resolves.toBeUndefined();

      expect(await store.get(unknown.id)).toBeNull();
    });

    it("frees the id: create with the same id works again", async () => {
      const { store } = harness();
      const first = makeRecord();
      await createRecord(store, first);
      await store.delete(first.id);
      const second = makeRecord({ id: first.id, data: { second: true } });

      expect(await store.create(second)).toBe("created");

      expect(await getRecord(store, first.id)).toEqual(second);
    });
  });
}
