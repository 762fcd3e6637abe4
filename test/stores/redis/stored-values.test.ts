import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionDataTooLargeError } from "../../../src/core/errors.js";
import type { SessionEvent } from "../../../src/core/events.js";
import { createSessionManager } from "../../../src/index.js";
import { RedisStore } from "../../../src/stores/redis/index.js";
import { makeRecord } from "../../support/records.js";
import {
  openSharedStore,
  recordWithToken,
  sessionKey,
  sharedRedisAvailable,
  type StoreHarness,
} from "./clients.js";

// What the store reads back is checked: a record tampered with by hand in Redis, or written by
// something else, is "no session" with an event (SF-04), never a crash and never a session.
// And what it writes is bounded by maxRecordBytes (RES-03).
const available = await sharedRedisAvailable();

/** A way to spoil a stored session hash by hand, as raw commands on its key. */
type Tamper = (key: string, other: string) => string[][];

const TAMPERS: [string, Tamper][] = [
  [
    "a JSON string at the key (another library's format)",
    (key) => [
      ["DEL", key],
      ["SET", key, '{"cookie":{"expires":null},"user":"user-1"}'],
    ],
  ],
  [
    "a list at the key",
    (key) => [
      ["DEL", key],
      ["RPUSH", key, "a", "b"],
    ],
  ],
  ["a hash without the format marker", (key) => [["HDEL", key, "fmt"]]],
  ["a truncated JSON field", (key) => [["HSET", key, "state", '"act']]],
  ["a deadline of the wrong type", (key) => [["HSET", key, "expiresAt", '"soon"']]],
  [
    "times in seconds (FR-27)",
    (key) => [["HSET", key, "createdAt", "1700000000", "lastSeenAt", "1700000000"]],
  ],
  ["a fractional version", (key) => [["HSET", key, "version", "1.5"]]],
  ["an unknown state", (key) => [["HSET", key, "state", '"root"']]],
  [
    "a state spelled with a space (the scripts compare text)",
    (key) => [["HSET", key, "state", ' "active"']],
  ],
  ["a version spelled as 1e0", (key) => [["HSET", key, "version", "1e0"]]],
  ["a version past 2^53", (key) => [["HSET", key, "version", "1e300"]]],
  ["a data value that is not JSON", (key) => [["HSET", key, 'd:"theme"', "{dark"]]],
  ["a data field whose name is not JSON", (key) => [["HSET", key, "d:plain", "1"]]],
  ["a missing secret hash", (key) => [["HDEL", key, "secretHash"]]],
  ["a numeric user id", (key) => [["HSET", key, "userId", "42"]]],
  [
    "data nested 100 deep",
    (key) => [["HSET", key, 'd:"deep"', `${"[".repeat(100)}${"]".repeat(100)}`]],
  ],
  [
    "the hash of another session (id does not match the key)",
    (key, other) => [["COPY", other, key, "REPLACE"]],
  ],
];

describe.runIf(available).each(["ioredis", "node-redis"] as const)(
  "RedisStore reading what it did not write (%s)",
  (library) => {
    let harness: StoreHarness;
    const storeEvents: SessionEvent[] = [];
    let store: RedisStore;

    beforeAll(async () => {
      harness = await openSharedStore(library);
      store = new RedisStore({
        client: harness.client.client,
        prefix: harness.prefix,
        onEvent: (event) => storeEvents.push(event),
      });
    });

    afterAll(async () => {
      await harness.close();
    });

    async function tamper(id: string, how: Tamper): Promise<string> {
      const other = makeRecord();
      await store.create(other);
      for (const command of how(
        sessionKey(harness.prefix, id),
        sessionKey(harness.prefix, other.id),
      )) {
        await harness.admin.command(command);
      }
      return other.id;
    }

    it.each(TAMPERS)("get gives a CorruptRecord for %s", async (_name, how) => {
      const record = makeRecord();
      await store.create(record);

      await tamper(record.id, how);
      const found = await store.get(record.id);

      expect(found).toMatchObject({ corrupt: true, id: record.id });
      const detail = found !== null && "corrupt" in found ? found.detail : "";
      expect(detail).not.toMatch(/soon|dark|user-1|1700000000/);
    });

    it.each(TAMPERS)(
      "validate is no session (corrupt) with an event for %s",
      async (_name, how) => {
        const events: SessionEvent[] = [];
        const manager = createSessionManager({ store, onEvent: (event) => events.push(event) });
        const { record, token } = recordWithToken();
        await store.create(record);
        await tamper(record.id, how);

        const result = await manager.validateCookieHeader(`${manager.cookieName}=${token}`);

        expect(result.ok ? "ok" : result.reason).toBe("corrupt");
        expect(events.map((event) => event.type)).toContain("store.corrupt-record");
        expect(await store.get(record.id)).toBeNull();
      },
    );

    it.each(TAMPERS)(
      "writes to a record spoiled by %s resolve without a crash",
      async (_name, how) => {
        const record = makeRecord();
        await store.create(record);
        await tamper(record.id, how);
        const now = Date.now();
        const touch = { lastSeenAt: now + 1, idleExpiresAt: now + 60_000, expiresAt: now + 60_000 };
        const rotation = { graceUntil: null, expiresAt: now + 60_000 };

        const outcomes = await Promise.allSettled([
          store.touch(record.id, touch),
          store.writeData(record.id, { kind: "patch", set: { a: 1 }, delete: ["theme"] }, null),
          store.markRevoked(record.id, now + 60_000),
          store.supersede(record.id, record.version, makeRecord(), rotation),
          store.listByUser(record.userId!),
        ]);

        expect(outcomes.filter((outcome) => outcome.status === "rejected")).toEqual([]);
        await store.delete(record.id);
        expect(await store.get(record.id)).toBeNull();
      },
    );

    it("never touches a key an edited index field names that the store does not own", async () => {
      const { admin, prefix } = harness;
      const outsider = `outside-${prefix}`;
      const strayIndex = `{${prefix}}u:stray`;
      await admin.command(["SET", outsider, "keep"]);
      await admin.command(["SET", strayIndex, "not an index"]);
      const records = [makeRecord(), makeRecord()];
      await Promise.all(records.map((record) => store.create(record)));
      await admin.command(["HSET", sessionKey(prefix, records[0]!.id), "ix", outsider]);
      await admin.command(["HSET", sessionKey(prefix, records[1]!.id), "ix", strayIndex]);
      const past = Date.now() - 1;

      await store.touch(records[0]!.id, {
        lastSeenAt: Date.now(),
        idleExpiresAt: past,
        expiresAt: past,
      });
      await store.delete(records[1]!.id);

      expect(await store.get(records[0]!.id)).toBeNull();
      expect(await store.get(records[1]!.id)).toBeNull();
      expect(await admin.command(["GET", outsider])).toBe("keep");
      expect(await admin.command(["GET", strayIndex])).toBe("not an index");
      await admin.command(["DEL", outsider]);
    });

    it("listByUser leaves out a spoiled record and reports it as an event", async () => {
      const userId = "user-listed";
      const spoiled = makeRecord({ userId });
      const sound = makeRecord({ userId });
      await Promise.all([spoiled, sound].map((record) => store.create(record)));
      await harness.admin.command(["HSET", sessionKey(harness.prefix, spoiled.id), "version", "x"]);

      const listed = await store.listByUser(userId);

      expect(listed.map((record) => record.id)).toEqual([sound.id]);
      expect(storeEvents).toContainEqual(
        expect.objectContaining({
          type: "store.corrupt-record",
          sessionIdPrefix: spoiled.id.slice(0, 8),
        }),
      );
    });
  },
);

describe.runIf(available)("RedisStore keys are exact, never patterns (INJ-01)", () => {
  let harness: StoreHarness;

  beforeAll(async () => {
    harness = await openSharedStore("node-redis");
  });

  afterAll(async () => {
    await harness.close();
  });

  it.each(["*", "user-*", "?", "[a-z]*", "\\*", "' OR '1'='1"])(
    "treats %j as one literal id and one literal user id",
    async (pattern) => {
      const { store } = harness;
      const userId = `user-${Math.random().toString(36).slice(2)}`;
      const records = [makeRecord({ userId }), makeRecord({ userId })];
      await Promise.all(records.map((record) => store.create(record)));

      expect(await store.get(pattern)).toBeNull();
      expect(await store.listByUser(pattern)).toEqual([]);
      expect(await store.markRevokedByUser(pattern, Date.now() + 60_000, null)).toBe(0);
      expect(await store.markRevoked(pattern, Date.now() + 60_000)).toBe(false);
      await store.delete(pattern);

      const listed = await store.listByUser(userId);
      expect(listed.map((record) => record.state)).toEqual(["active", "active"]);
    },
  );
});

describe.runIf(available)("RedisStore maxRecordBytes (RES-03)", () => {
  let harness: StoreHarness;

  beforeAll(async () => {
    harness = await openSharedStore("node-redis", { maxRecordBytes: 4_096 });
  });

  afterAll(async () => {
    await harness.close();
  });

  it("refuses to create a record past the limit and writes nothing", async () => {
    const record = makeRecord({ data: { blob: "x".repeat(5_000) } });

    await expect(harness.store.create(record)).rejects.toBeInstanceOf(SessionDataTooLargeError);

    expect(await harness.store.get(record.id)).toBeNull();
  });

  it("refuses a patch that would pass the limit; nothing changes", async () => {
    const record = makeRecord({ data: { a: "x".repeat(1_500) } });
    await harness.store.create(record);
    const patch = {
      kind: "patch" as const,
      set: { b: "y".repeat(1_500), c: "z".repeat(1_500) },
      delete: [],
    };

    await expect(harness.store.writeData(record.id, patch, null)).rejects.toBeInstanceOf(
      SessionDataTooLargeError,
    );

    expect(await harness.store.get(record.id)).toEqual(record);
  });

  it("holds the limit when concurrent patches each fit but together do not", async () => {
    const record = makeRecord({ data: {} });
    await harness.store.create(record);
    const patches = ["p", "q", "r"].map((key) => ({
      kind: "patch" as const,
      set: { [key]: key.repeat(1_500) },
      delete: [],
    }));

    const outcomes = await Promise.allSettled(
      patches.map((patch) => harness.store.writeData(record.id, patch, null)),
    );

    const refused = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const outcome of refused) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(SessionDataTooLargeError);
    }
    const stored = await harness.store.get(record.id);
    const kept = stored !== null && !("corrupt" in stored) ? Object.keys(stored.data).length : -1;
    expect(kept).toBe(outcomes.length - refused.length);
  });
});
