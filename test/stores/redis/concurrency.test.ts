import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SessionConflictError,
  SessionRevokedError,
  isLatchkeyError,
} from "../../../src/core/errors.js";
import type { SessionManager } from "../../../src/core/manager-api.js";
import type { Session } from "../../../src/core/result.js";
import { createSessionManager } from "../../../src/index.js";
import { RedisStore } from "../../../src/stores/redis/index.js";
import { InstrumentedStore } from "../../support/instrumented-store.js";
import { makeUserId } from "../../support/records.js";
import {
  keysOf,
  openSharedStore,
  sharedRedisAvailable,
  type Library,
  type StoreHarness,
} from "./clients.js";

// Races through the session manager over real Redis: parallel validates and updates, a revoke
// racing a slow request, concurrent rotations, and two app instances (two clients, two stores)
// sharing one Redis.
const available = await sharedRedisAvailable();
const LIBRARIES: Library[] = ["ioredis", "node-redis"];

describe.runIf(available).each(LIBRARIES)("RedisStore under concurrency (%s)", (library) => {
  let harness: StoreHarness;
  let other: StoreHarness;

  beforeAll(async () => {
    harness = await openSharedStore(library);
    // A second app instance: its own connection and store object, the same prefix.
    other = await openSharedStore(library, { prefix: harness.prefix });
  });

  afterAll(async () => {
    await other.close();
    await harness.close();
  });

  function manager(store = harness.store, renewalIntervalMs = 60_000): SessionManager {
    return createSessionManager({ store, renewalIntervalMs, rotationGraceMs: 5_000 });
  }

  function header(sessions: SessionManager, token: string): string {
    return `${sessions.cookieName}=${token}`;
  }

  async function validated(sessions: SessionManager, token: string): Promise<Session> {
    const result = await sessions.validateCookieHeader(header(sessions, token));
    if (!result.ok) throw new Error(`validate failed: ${result.reason}`);
    return result.session;
  }

  /** The keys under the prefix that belong to `ids` (session hashes) or to `userId`. */
  async function keysFor(ids: string[], userId: string): Promise<string[]> {
    const keys = await keysOf(harness.admin, harness.prefix);
    return keys.filter((key) => ids.some((id) => key.endsWith(`s:${id}`)) || key.endsWith(userId));
  }

  it("answers 200 parallel validates of one session with one record and no write", async () => {
    const counted = new InstrumentedStore(harness.store);
    const sessions = createSessionManager({ store: counted, renewalIntervalMs: 60_000 });
    const userId = makeUserId();
    const { session, token } = await sessions.create({ userId, data: { cart: [1, 2] } });
    counted.resetCounts();

    const results = await Promise.all(
      Array.from({ length: 200 }, () => sessions.validateCookieHeader(header(sessions, token))),
    );

    expect(results.every((result) => result.ok && result.session.id === session.id)).toBe(true);
    expect(counted.count("get")).toBe(200);
    expect(counted.total()).toBe(200);
    expect(await keysFor([session.id], userId)).toHaveLength(2);
    expect(await sessions.listForUser(userId)).toHaveLength(1);
  });

  it("renews at most once per renewal interval under sequential validates (REN-05)", async () => {
    // The manager and the store share one clock that the test moves: TTLs stay consistent.
    let time = Date.now();
    const store = new RedisStore({
      client: harness.client.client,
      prefix: harness.prefix,
      now: () => time,
    });
    const counted = new InstrumentedStore(store);
    const sessions = createSessionManager({
      store: counted,
      renewalIntervalMs: 60_000,
      now: () => time,
    });
    const { session, token } = await sessions.create({ userId: makeUserId() });
    time += 61_000;
    counted.resetCounts();

    const results = [];
    for (let i = 0; i < 20; i++) {
      results.push(await sessions.validateCookieHeader(header(sessions, token)));
      time += 1_000;
    }

    expect(results.every((result) => result.ok)).toBe(true);
    expect(results.map((result) => result.ok && result.renewed)).toEqual([
      true,
      ...Array.from({ length: 19 }, () => false),
    ]);
    expect(counted.count("touch")).toBe(1);
    expect(await store.get(session.id)).toMatchObject({ lastSeenAt: session.lastSeenAt + 61_000 });
  });

  it("keeps one record under 200 parallel validates due for renewal", async () => {
    const sessions = createSessionManager({ store: harness.store, renewalIntervalMs: 1 });
    const userId = makeUserId();
    const { session, token } = await sessions.create({ userId, data: { keep: true } });
    await new Promise((resolve) => setTimeout(resolve, 5));

    const results = await Promise.all(
      Array.from({ length: 200 }, () => sessions.validateCookieHeader(header(sessions, token))),
    );

    expect(results.every((result) => result.ok)).toBe(true);
    const renewedAt = results.map((result) => (result.ok ? result.session.lastSeenAt : 0));
    const stored = await harness.store.get(session.id);
    expect(stored).toMatchObject({
      state: "active",
      version: session.version,
      data: { keep: true },
    });
    // Racing renewals name the lastSeenAt they read; the one that wrote first stands.
    expect(renewedAt).toContain(stored !== null && !("corrupt" in stored) ? stored.lastSeenAt : -1);
    expect(await keysFor([session.id], userId)).toHaveLength(2);
  });

  it("keeps every one of 50 parallel updates of different keys (CON-01, G4)", async () => {
    const sessions = manager();
    const { session, token } = await sessions.create({ userId: makeUserId(), data: { base: 0 } });
    const loaded = await validated(sessions, token);

    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => sessions.update(loaded, { set: { [`k${i}`]: i } })),
    );

    expect(outcomes).toHaveLength(50);
    const final = await validated(sessions, token);
    expect(final.data).toEqual({
      base: 0,
      ...Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i])),
    });
    expect(final.version).toBe(session.version + 50);
  });

  it("reports a stale whole-data write as a conflict; nothing is lost (CON-01)", async () => {
    const sessions = manager();
    const { token } = await sessions.create({ userId: makeUserId(), data: {} });
    const a = await validated(sessions, token);
    const b = await validated(sessions, token);

    await sessions.update(a, { set: { cart: ["book"] } });
    const stale = sessions.replaceData(b, { theme: "dark" });

    await expect(stale).rejects.toBeInstanceOf(SessionConflictError);
    expect((await validated(sessions, token)).data).toEqual({ cart: ["book"] });
  });

  it("lets no request that loaded before a revoke write it back (REV-01, G5)", async () => {
    const sessions = manager(harness.store, 1);
    const { token } = await sessions.create({ userId: makeUserId(), data: { secret: "x" } });
    const slow = await validated(sessions, token);

    await sessions.revoke(slow);
    const update = sessions.update(slow, { set: { late: true } });
    const replace = sessions.replaceData(slow, { late: true });
    const rotate = sessions.rotate(slow);

    await expect(update).rejects.toBeInstanceOf(SessionRevokedError);
    await expect(replace).rejects.toSatisfy(isLatchkeyError);
    await expect(rotate).rejects.toBeInstanceOf(SessionRevokedError);
    const touched = await harness.store.touch(slow.id, {
      lastSeenAt: Date.now(),
      idleExpiresAt: Date.now() + 60_000,
      expiresAt: Date.now() + 60_000,
    });
    expect(touched).toBe(false);
    expect(await harness.store.get(slow.id)).toMatchObject({ state: "revoked", data: {} });
    const again = await sessions.validateCookieHeader(header(sessions, token));
    expect(again.ok ? "ok" : again.reason).toBe("revoked");
  });

  it("shows a revoke to the next validate on another instance (REV-03, REV-05)", async () => {
    const here = manager(harness.store);
    const there = manager(other.store);
    const userId = makeUserId();
    const bystander = await here.create({ userId: makeUserId() });
    const issued = [
      await here.create({ userId }),
      await there.create({ userId }),
      await there.create({ userId }),
    ];
    for (const { token } of issued) await validated(there, token);

    const count = await here.revokeAllForUser(userId);

    expect(count).toBe(3);
    for (const sessions of [here, there]) {
      for (const { token } of issued) {
        const result = await sessions.validateCookieHeader(header(sessions, token));
        expect(result.ok ? "ok" : result.reason).toBe("revoked");
      }
      expect((await sessions.validateCookieHeader(header(sessions, bystander.token))).ok).toBe(
        true,
      );
    }
  });

  it("lets one of two parallel rotations win, leaving one successor (REN-01)", async () => {
    const here = manager(harness.store);
    const there = manager(other.store);
    const userId = makeUserId();
    const { token } = await here.create({ userId });
    const onHere = await validated(here, token);
    const onThere = await validated(there, token);

    const outcomes = await Promise.allSettled([here.rotate(onHere), there.rotate(onThere)]);

    const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const lost = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(SessionRevokedError);
    const winner = (won[0] as PromiseFulfilledResult<{ session: Session; token: string }>).value;
    const live = await here.listForUser(userId);
    expect(live.map((summary) => summary.id)).toEqual([winner.session.id]);
    expect(await harness.store.get(onHere.id)).toMatchObject({
      state: "superseded",
      successorId: winner.session.id,
    });
    expect((await validated(there, winner.token)).id).toBe(winner.session.id);
  });
});
