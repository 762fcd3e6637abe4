import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStoreContract } from "../../contract/store-contract.js";
import { makeRecord } from "../../support/records.js";
import { startRedisCluster, type RedisCluster } from "../../support/redis-cluster.js";
import { openStore, sessionKey, userKey, type Library, type StoreHarness } from "./clients.js";

// The store contract, unchanged, against a real three-master Redis Cluster that this file
// starts from the redis-server binary and stops afterwards.
let cluster: RedisCluster | undefined;

function seeds(): RedisCluster["seeds"] {
  if (cluster === undefined) throw new Error("the cluster did not start");
  return cluster.seeds;
}

beforeAll(async () => {
  cluster = await startRedisCluster(3);
});

afterAll(async () => {
  await cluster?.stop();
});

for (const library of ["ioredis", "node-redis"] satisfies Library[]) {
  runStoreContract(`RedisStore on a 3-master Cluster (${library})`, () =>
    openStore(library, { kind: "cluster", seeds: seeds() }),
  );
}

describe("RedisStore key layout on a Cluster", () => {
  let harness: StoreHarness | undefined;

  beforeAll(async () => {
    harness = await openStore("ioredis", { kind: "cluster", seeds: seeds() });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("puts a session, its successor and the user's index in one hash slot", async () => {
    const { store, admin, prefix } = harness!;
    const old = makeRecord();
    const successor = makeRecord({ userId: old.userId });
    await store.create(old);
    const grace = { graceUntil: Date.now() + 5_000, expiresAt: Date.now() + 60_000 };

    expect(await store.supersede(old.id, old.version, successor, grace)).toMatchObject({
      ok: true,
    });

    const keys = [
      sessionKey(prefix, old.id),
      sessionKey(prefix, successor.id),
      userKey(prefix, old.userId!),
    ];
    const slots = await Promise.all(keys.map((key) => admin.command(["CLUSTER", "KEYSLOT", key])));
    expect(new Set(slots).size).toBe(1);
    expect(await admin.command(["EXISTS", ...keys])).toBe(3);
  });

  it("keeps stores with different prefixes apart, each in its own slot", async () => {
    const { admin } = harness!;
    const tags = ["{app-one:}s:x", "{app-two:}s:x", "{app-one:}u:y"];

    const slots = await Promise.all(tags.map((key) => admin.command(["CLUSTER", "KEYSLOT", key])));

    expect(slots[0]).toBe(slots[2]);
    expect(slots[0]).not.toBe(slots[1]);
  });
});
