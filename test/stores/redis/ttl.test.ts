import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionManager } from "../../../src/index.js";
import { RedisStore } from "../../../src/stores/redis/index.js";
import { HOUR_MS, makeRecord } from "../../support/records.js";
import { waitFor } from "../../support/services.js";
import {
  keysOf,
  openSharedStore,
  recordWithToken,
  sessionKey,
  sharedRedisAvailable,
  userKey,
  type StoreHarness,
} from "./clients.js";

// Native expiry, checked with the server's own PTTL. Bounds are logical, not speed goals: a key
// set at app time t0 to expire at E has, when read back at t1, a PTTL in [E - t1, E - t0].
const available = await sharedRedisAvailable();
const DAY_MS = 86_400_000;
// Clock granularity between this process and the server on one machine.
const SLACK_MS = 5;

describe.runIf(available)("RedisStore TTLs", () => {
  let harness: StoreHarness;

  beforeAll(async () => {
    harness = await openSharedStore("ioredis");
  });

  afterAll(async () => {
    await harness.close();
  });

  async function pttl(key: string): Promise<number> {
    return Number(await harness.admin.command(["PTTL", key]));
  }

  /** Asserts that `key` expires at `deadline`, as seen between t0 and now. */
  async function expectDeadline(key: string, deadline: number, t0: number): Promise<void> {
    const left = await pttl(key);
    const t1 = Date.now();

    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(deadline - t0 + SLACK_MS);
    expect(left).toBeGreaterThanOrEqual(deadline - t1 - SLACK_MS);
  }

  it("create sets the key to expiresAt and the index to the absolute deadline", async () => {
    const { store, prefix } = harness;
    const record = makeRecord();
    const t0 = Date.now();

    await store.create(record);

    await expectDeadline(sessionKey(prefix, record.id), record.expiresAt, t0);
    await expectDeadline(userKey(prefix, record.userId!), record.absoluteExpiresAt, t0);
  });

  it("a renewal through the manager moves the key's TTL with the record (FR-05)", async () => {
    const { store, prefix } = harness;
    const manager = createSessionManager({
      store,
      idleTimeoutMs: 10 * 60_000,
      renewalIntervalMs: 1,
      persistentCookie: true,
    });
    const { session, token } = await manager.create({ userId: "user-fr05" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const t0 = Date.now();

    const result = await manager.validateCookieHeader(`${manager.cookieName}=${token}`);

    if (!result.ok) throw new Error(`validate failed: ${result.reason}`);
    expect(result.renewed).toBe(true);
    expect(result.session.idleExpiresAt).toBeGreaterThan(session.idleExpiresAt);
    const stored = await store.get(session.id);
    if (stored === null || "corrupt" in stored) throw new Error("the record is gone");
    expect(stored.idleExpiresAt).toBe(result.session.idleExpiresAt);
    await expectDeadline(sessionKey(prefix, session.id), stored.expiresAt, t0);
    // Stored expiry, key TTL and cookie Max-Age agree: the key lives as long as the record says,
    // which is never shorter than the cookie's Max-Age (FR-05: one source of truth).
    const maxAgeMs = 1000 * Number(/Max-Age=(\d+)/.exec(result.setCookie ?? "")?.[1]);
    expect(maxAgeMs).toBeGreaterThan(0);
    expect(maxAgeMs).toBeLessThanOrEqual(result.session.idleExpiresAt - t0);
    expect(await pttl(sessionKey(prefix, session.id))).toBeGreaterThan(maxAgeMs);
  });

  it("a renewal capped at the absolute deadline sets the TTL to that deadline", async () => {
    const { store, prefix } = harness;
    const record = makeRecord({ absoluteExpiresAt: Date.now() + 90_000 });
    await store.create(record);
    const lastSeenAt = Date.now();
    const capped = Math.min(lastSeenAt + HOUR_MS, record.absoluteExpiresAt);

    await store.touch(record.id, { lastSeenAt, idleExpiresAt: capped, expiresAt: capped });

    expect(capped).toBe(record.absoluteExpiresAt);
    await expectDeadline(sessionKey(prefix, record.id), record.absoluteExpiresAt, lastSeenAt);
  });

  it("a remaining time of 400 ms is a TTL of at most 400 ms and never 0 (FR-04)", async () => {
    const { store, prefix } = harness;
    const touched = makeRecord();
    await store.create(touched);
    const t0 = Date.now();
    const created = makeRecord({ expiresAt: t0 + 400, idleExpiresAt: t0 + 400 });

    await store.create(created);
    await store.touch(touched.id, {
      lastSeenAt: t0,
      idleExpiresAt: t0 + 400,
      expiresAt: t0 + 400,
    });

    for (const record of [created, touched]) {
      const left = await pttl(sessionKey(prefix, record.id));
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(400);
    }
  });

  it("a deadline already past deletes the key, sending no TTL (FR-04, SF-08)", async () => {
    const { store, prefix, admin } = harness;
    const renewed = makeRecord();
    const revoked = makeRecord();
    await store.create(renewed);
    await store.create(revoked);
    const now = Date.now();
    const born = makeRecord({ expiresAt: now - 5_000, idleExpiresAt: now - 5_000 });

    await store.create(born);
    await store.touch(renewed.id, { lastSeenAt: now, idleExpiresAt: now, expiresAt: now });
    await store.markRevoked(revoked.id, now - 1);

    const keys = [born, renewed, revoked].map((record) => sessionKey(prefix, record.id));
    expect(Number(await admin.command(["EXISTS", ...keys]))).toBe(0);
  });

  it("a tombstone keeps the earlier of its deadline and tombstoneUntil", async () => {
    const { store, prefix } = harness;
    const short = makeRecord({ expiresAt: Date.now() + 60_000 });
    const long = makeRecord();
    await store.create(short);
    await store.create(long);
    const t0 = Date.now();
    const tombstoneUntil = t0 + 120_000;

    await store.markRevoked(short.id, tombstoneUntil);
    await store.markRevoked(long.id, tombstoneUntil);

    await expectDeadline(sessionKey(prefix, short.id), short.expiresAt, t0);
    await expectDeadline(sessionKey(prefix, long.id), tombstoneUntil, t0);
  });

  it("a rotation gives the old key the given deadline and the successor its own", async () => {
    const { store, prefix } = harness;
    const old = makeRecord();
    const successor = makeRecord({ userId: old.userId, expiresAt: Date.now() + 30 * 60_000 });
    await store.create(old);
    const t0 = Date.now();
    const options = { graceUntil: t0 + 10_000, expiresAt: t0 + 70_000 };

    await store.supersede(old.id, old.version, successor, options);

    await expectDeadline(sessionKey(prefix, old.id), options.expiresAt, t0);
    await expectDeadline(sessionKey(prefix, successor.id), successor.expiresAt, t0);
  });

  it("prunes index entries whose session key expired, as they are met", async () => {
    const { store, prefix, admin } = harness;
    const userId = "user-prune";
    const [gone, kept] = [makeRecord({ userId }), makeRecord({ userId })];
    await Promise.all([gone, kept].map((record) => store.create(record)));
    await admin.command(["PEXPIRE", sessionKey(prefix, gone.id), "1"]);
    await waitFor("the key to expire", async () => {
      return Number(await admin.command(["EXISTS", sessionKey(prefix, gone.id)])) === 0;
    });

    const listed = await store.listByUser(userId);

    expect(listed.map((record) => record.id)).toEqual([kept.id]);
    expect(await admin.command(["ZRANGE", userKey(prefix, userId), "0", "-1"])).toEqual([kept.id]);
  });

  it("leaves no key of the store without a TTL", async () => {
    const { store, prefix, admin } = harness;
    const userId = "user-every-key";
    const records = [makeRecord({ userId }), makeRecord({ userId }), makeRecord({ userId: null })];
    await Promise.all(records.map((record) => store.create(record)));
    await store.writeData(records[0]!.id, { kind: "patch", set: { a: 1 }, delete: [] }, null);
    await store.markRevoked(records[1]!.id, Date.now() + 60_000);
    await store.supersede(records[2]!.id, 1, makeRecord({ userId }), {
      graceUntil: null,
      expiresAt: Date.now() + 60_000,
    });
    await store.listByUser(userId);

    const keys = await keysOf(admin, prefix);
    const ttls = await Promise.all(keys.map((key) => pttl(key)));

    expect(keys.length).toBeGreaterThan(0);
    expect(ttls.every((left) => left > 0)).toBe(true);
  });

  it.each([
    ["a day ahead of", DAY_MS],
    ["a day behind", -DAY_MS],
    ["5 minutes ahead of", 300_000],
  ])(
    "keeps sessions readable when the app clock is %s the server's (FR-07)",
    async (_name, skewMs) => {
      const { prefix, client, admin } = harness;
      const appNow = (): number => Date.now() + skewMs;
      const store = new RedisStore({ client: client.client, prefix, now: appNow });
      const t0 = appNow();
      const record = makeRecord({
        createdAt: t0,
        lastSeenAt: t0,
        idleExpiresAt: t0 + HOUR_MS,
        expiresAt: t0 + HOUR_MS,
        absoluteExpiresAt: t0 + 12 * HOUR_MS,
      });

      await store.create(record);

      expect(await store.get(record.id)).toEqual(record);
      const left = Number(await admin.command(["PTTL", sessionKey(prefix, record.id)]));
      expect(left).toBeGreaterThan(HOUR_MS - 60_000);
      expect(left).toBeLessThanOrEqual(HOUR_MS);
    },
  );

  it("the core still expires a record whose key outlived its deadline (EXP-03)", async () => {
    const { prefix, client } = harness;
    // A store clock an hour behind keeps the key an hour past the record's deadline.
    const lagging = new RedisStore({
      client: client.client,
      prefix,
      now: () => Date.now() - HOUR_MS,
    });
    const manager = createSessionManager({ store: lagging });
    const past = Date.now() - 1_000;
    const { record, token } = recordWithToken({ idleExpiresAt: past, expiresAt: past });
    await lagging.create(record);
    expect(await lagging.get(record.id)).not.toBeNull();

    const result = await manager.validateCookieHeader(`${manager.cookieName}=${token}`);

    expect(result.ok ? "ok" : result.reason).toBe("expired-idle");
    expect(await lagging.get(record.id)).toBeNull();
  });
});
