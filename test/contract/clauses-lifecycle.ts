import { describe, expect, it } from "vitest";
import type { SupersedeOptions } from "../../src/core/store.js";
import { makeRecord, makeUserId } from "../support/records.js";
import { createRecord, getRecord, idsOf, isCorrupt, patch, type HarnessRef } from "./helpers.js";

const TOMBSTONE_MS = 600_000;

/** Deadlines for a rotation with a 10 s grace period. */
function rotation(): SupersedeOptions {
  return { graceUntil: Date.now() + 10_000, expiresAt: Date.now() + TOMBSTONE_MS };
}

/** Clauses of `supersede`, `markRevoked` and `markRevokedByUser`. */
export function lifecycleClauses(harness: HarnessRef): void {
  describe("supersede", () => {
    it("stores the successor and marks the old record superseded with its deadlines", async () => {
      const { store } = harness();
      const old = makeRecord({ version: 2 });
      await createRecord(store, old);
      const successor = makeRecord({ userId: old.userId, createdAt: old.createdAt });
      const options = rotation();

      expect((await store.supersede(old.id, 2, successor, options)).ok).toBe(true);

      expect(await getRecord(store, successor.id)).toEqual(successor);
      const retired = await getRecord(store, old.id);
      expect(retired).toMatchObject({
        state: "superseded",
        successorId: successor.id,
        graceUntil: options.graceUntil,
        expiresAt: options.expiresAt,
        secretHash: old.secretHash,
        userId: old.userId,
      });
    });

    it("indexes the successor under its user", async () => {
      const { store } = harness();
      const userId = makeUserId();
      const old = makeRecord({ userId });
      await createRecord(store, old);
      const successor = makeRecord({ userId });

      await store.supersede(old.id, old.version, successor, rotation());

      expect(idsOf(await store.listByUser(userId))).toEqual(idsOf([old, successor]));
    });

    it("lets exactly one of two concurrent calls on one record succeed", async () => {
      const { store } = harness();
      const old = makeRecord();
      await createRecord(store, old);
      const first = makeRecord({ userId: old.userId });
      const second = makeRecord({ userId: old.userId });

      const outcomes = await Promise.all([
        store.supersede(old.id, old.version, first, rotation()),
        store.supersede(old.id, old.version, second, rotation()),
      ]);

      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
      const winner = outcomes[0]?.ok === true ? first : second;
      const loser = winner === first ? second : first;
      expect(await getRecord(store, winner.id)).toEqual(winner);
      expect(await store.get(loser.id)).toBeNull();
      expect((await getRecord(store, old.id)).successorId).toBe(winner.id);
    });

    it("reports a conflict for a stale version and stores no successor", async () => {
      const { store } = harness();
      const old = makeRecord({ version: 3 });
      await createRecord(store, old);
      const successor = makeRecord();

      const outcome = await store.supersede(old.id, 2, successor, rotation());

      expect(outcome).toEqual({ ok: false, reason: "conflict" });
      expect(await store.get(successor.id)).toBeNull();
      expect(await getRecord(store, old.id)).toEqual(old);
    });

    it('returns "missing" for an unknown id and stores no successor', async () => {
      const { store } = harness();
      const successor = makeRecord();

      const outcome = await store.supersede(makeRecord().id, 1, successor, rotation());

      expect(outcome).toEqual({ ok: false, reason: "missing" });
      expect(await store.get(successor.id)).toBeNull();
      expect(await store.listByUser(successor.userId as string)).toEqual([]);
    });

    it('returns "inactive" for a revoked or superseded record; no successor stored', async () => {
      const { store } = harness();
      const revoked = makeRecord();
      const rotated = makeRecord();
      await Promise.all([revoked, rotated].map((record) => createRecord(store, record)));
      await store.markRevoked(revoked.id, Date.now() + TOMBSTONE_MS);
      await store.supersede(rotated.id, rotated.version, makeRecord(), rotation());
      const late = [makeRecord(), makeRecord()];

      const outcomes = [
        await store.supersede(revoked.id, revoked.version, late[0]!, rotation()),
        await store.supersede(rotated.id, rotated.version, late[1]!, rotation()),
      ];

      expect(outcomes).toEqual([
        { ok: false, reason: "inactive" },
        { ok: false, reason: "inactive" },
      ]);
      expect(await store.get(late[0]!.id)).toBeNull();
      expect(await store.get(late[1]!.id)).toBeNull();
      expect((await getRecord(store, revoked.id)).state).toBe("revoked");
    });
  });

  describe("markRevoked", () => {
    it("turns an active record into a tombstone with empty data", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      const tombstoneUntil = Date.now() + TOMBSTONE_MS;

      expect(await store.markRevoked(record.id, tombstoneUntil)).toBe(true);

      const stored = await getRecord(store, record.id);
      expect(stored).toMatchObject({ state: "revoked", data: {}, expiresAt: tombstoneUntil });
      expect(stored.secretHash).toBe(record.secretHash);
    });

    it("leaves expiresAt alone when tombstoneUntil is later than it", async () => {
      const { store } = harness();
      const record = makeRecord({ expiresAt: Date.now() + 120_000 });
      await createRecord(store, record);

      expect(await store.markRevoked(record.id, record.expiresAt + TOMBSTONE_MS)).toBe(true);

      expect((await getRecord(store, record.id)).expiresAt).toBe(record.expiresAt);
    });

    it("returns false on a second call and for an unknown id", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      await store.markRevoked(record.id, Date.now() + TOMBSTONE_MS);

      expect(await store.markRevoked(record.id, Date.now() + TOMBSTONE_MS)).toBe(false);
      const unknown = makeRecord().id;
      expect(await store.markRevoked(unknown, Date.now() + TOMBSTONE_MS)).toBe(false);
      expect(await store.get(unknown)).toBeNull();
    });

    it("returns false for a superseded record and leaves it superseded", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      await store.supersede(record.id, record.version, makeRecord(), rotation());

      expect(await store.markRevoked(record.id, Date.now() + TOMBSTONE_MS)).toBe(false);

      expect((await getRecord(store, record.id)).state).toBe("superseded");
    });

    it("refuses every later write: writeData, touch and supersede", async () => {
      const { store } = harness();
      const record = makeRecord();
      await createRecord(store, record);
      await store.markRevoked(record.id, Date.now() + TOMBSTONE_MS);
      const successor = makeRecord();
      const lastSeenAt = Date.now() + 1_000;

      const written = await store.writeData(record.id, patch({ revived: true }), null);
      const touched = await store.touch(record.id, {
        lastSeenAt,
        idleExpiresAt: lastSeenAt + 60_000,
        expiresAt: lastSeenAt + 60_000,
      });
      const rotated = await store.supersede(record.id, record.version, successor, rotation());

      expect(written).toEqual({ ok: false, reason: "inactive" });
      expect(touched).toBe(false);
      expect(rotated.ok).toBe(false);
      const stored = await getRecord(store, record.id);
      expect(stored).toMatchObject({ state: "revoked", data: {} });
      expect(stored.lastSeenAt).toBe(record.lastSeenAt);
      expect(await store.get(successor.id)).toBeNull();
    });
  });

  describe("markRevokedByUser", () => {
    it("revokes every active record of the user but exceptId and returns the count", async () => {
      const { store } = harness();
      const userId = makeUserId();
      const doomed = [makeRecord({ userId }), makeRecord({ userId }), makeRecord({ userId })];
      const spared = makeRecord({ userId });
      const alreadyRevoked = makeRecord({ userId });
      const bystander = makeRecord();
      const all = [...doomed, spared, alreadyRevoked, bystander];
      await Promise.all(all.map((record) => createRecord(store, record)));
      await store.markRevoked(alreadyRevoked.id, Date.now() + TOMBSTONE_MS);

      const count = await store.markRevokedByUser(userId, Date.now() + TOMBSTONE_MS, spared.id);

      expect(count).toBe(3);
      for (const record of doomed) {
        expect(await getRecord(store, record.id)).toMatchObject({ state: "revoked", data: {} });
      }
      expect(await getRecord(store, spared.id)).toEqual(spared);
      expect(await getRecord(store, bystander.id)).toEqual(bystander);
    });

    it("revokes all of them when exceptId is null", async () => {
      const { store } = harness();
      const userId = makeUserId();
      const records = [makeRecord({ userId }), makeRecord({ userId })];
      await Promise.all(records.map((record) => createRecord(store, record)));

      expect(await store.markRevokedByUser(userId, Date.now() + TOMBSTONE_MS, null)).toBe(2);

      const listed = await store.listByUser(userId);
      expect(listed.map((record) => record.state)).toEqual(["revoked", "revoked"]);
    });

    it("returns 0 for a user with no records and changes nothing", async () => {
      const { store } = harness();
      const bystander = makeRecord();
      await createRecord(store, bystander);

      expect(await store.markRevokedByUser(makeUserId(), Date.now() + TOMBSTONE_MS, null)).toBe(0);

      const stored = await store.get(bystander.id);
      expect(isCorrupt(stored)).toBe(false);
      expect(stored).toEqual(bystander);
    });
  });
}
