import { describe, expect, it } from "vitest";
import { SessionRevokedError } from "../../src/core/errors.js";
import { cookie, eventsOf, HOUR_MS, isClearing, MINUTE_MS, reasonOf, setup } from "./fixture.js";

describe("revoke", () => {
  it("returns the clearing cookie and makes the token give revoked (FR-25)", async () => {
    const { manager, events } = setup();
    const issued = await manager.create({ userId: "u1" });

    const clearing = await manager.revoke(issued.session);
    const result = await manager.validateCookieHeader(cookie(issued.token));

    expect(isClearing(clearing)).toBe(true);
    expect(clearing).toBe(manager.clearCookie());
    expect(reasonOf(result)).toBe("revoked");
    expect(eventsOf(events, "session.revoked")).toEqual([
      expect.objectContaining({ cause: "revoke", userId: "u1", count: 1 }),
    ]);
  });

  it("accepts a bare session id", async () => {
    const { manager } = setup();
    const issued = await manager.create();

    await manager.revoke(issued.session.id);

    expect(reasonOf(await manager.validateCookieHeader(cookie(issued.token)))).toBe("revoked");
  });

  it(
    "refuses a later update() from a request that loaded the session, " +
      "recreating nothing (REV-01)",
    async () => {
      const { manager, raw } = setup();
      const issued = await manager.create({ data: { cart: [1] } });
      const loaded = await manager.validateCookieHeader(cookie(issued.token));
      if (!loaded.ok) throw new Error("expected a session");

      await manager.revoke(issued.session);
      const save = manager.update(loaded.session, { set: { cart: [1, 2] } });

      await expect(save).rejects.toBeInstanceOf(SessionRevokedError);
      expect(await raw(issued.session.id)).toMatchObject({ state: "revoked", data: {} });
    },
  );

  it("refuses a renewal that meets a revoke between the read and the touch (REV-01)", async () => {
    const { manager, clock, store, memory } = setup();
    const issued = await manager.create();
    clock.advance(2 * MINUTE_MS);
    store.fault = {
      methods: new Set(["touch"]),
      fault: async () => {
        await memory.markRevoked(issued.session.id, clock.now() + HOUR_MS);
        const now = clock.now();
        return memory.touch(issued.session.id, {
          lastSeenAt: now,
          idleExpiresAt: now + HOUR_MS,
          expiresAt: now + HOUR_MS,
        });
      },
    };

    const result = await manager.validateCookieHeader(cookie(issued.token));

    expect(reasonOf(result)).toBe("revoked");
    expect(result.setCookie === null || isClearing(result.setCookie)).toBe(true);
  });
});

describe("revokeAllForUser", () => {
  it("revokes all of a user's sessions, seen by two managers on one store (REV-03)", async () => {
    const a = setup();
    const b = setup({ memory: a.memory, clock: a.clock });
    const sessions = [
      await a.manager.create({ userId: "u1" }),
      await b.manager.create({ userId: "u1" }),
      await a.manager.create({ userId: "u1" }),
    ];
    const other = await b.manager.create({ userId: "u2" });

    const count = await a.manager.revokeAllForUser("u1");

    expect(count).toBe(3);
    for (const { token } of sessions) {
      expect(reasonOf(await a.manager.validateCookieHeader(cookie(token)))).toBe("revoked");
      expect(reasonOf(await b.manager.validateCookieHeader(cookie(token)))).toBe("revoked");
    }
    expect((await b.manager.validateCookieHeader(cookie(other.token))).ok).toBe(true);
    expect(eventsOf(a.events, "session.revoked")).toEqual([
      expect.objectContaining({ cause: "revoke-user", count: 3, userId: "u1" }),
    ]);
  });

  it("keeps the current session with except", async () => {
    const { manager } = setup();
    const current = await manager.create({ userId: "u1" });
    const elsewhere = await manager.create({ userId: "u1" });

    const count = await manager.revokeAllForUser("u1", { except: current.session });

    expect(count).toBe(1);
    expect((await manager.validateCookieHeader(cookie(current.token))).ok).toBe(true);
    expect(reasonOf(await manager.validateCookieHeader(cookie(elsewhere.token)))).toBe("revoked");
  });
});

describe("listForUser", () => {
  it("lists live sessions only, newest activity first, with id prefix, ip, userAgent", async () => {
    const { manager, clock } = setup();
    const older = await manager.create({
      userId: "u1",
      client: { ip: "203.0.113.7", userAgent: "UA-old" },
    });
    const revoked = await manager.create({ userId: "u1" });
    await manager.revoke(revoked.session);
    const rotated = await manager.rotate((await manager.create({ userId: "u1" })).session);
    await manager.create({ userId: "u2" });
    clock.advance(MINUTE_MS);
    const newer = await manager.create({ userId: "u1", client: { userAgent: "UA-new" } });
    clock.advance(MINUTE_MS);
    await manager.validateCookieHeader(cookie(older.token));

    const list = await manager.listForUser("u1");

    expect(list).toHaveLength(3);
    expect(list[0]).toMatchObject({
      id: older.session.id,
      idPrefix: older.session.id.slice(0, 8),
      ip: "203.0.113.7",
      userAgent: "UA-old",
    });
    expect(list[1]).toMatchObject({ id: newer.session.id, ip: null, userAgent: "UA-new" });
    expect(list[2]?.id).toBe(rotated.session.id);
    expect(list.map((summary) => summary.id)).not.toContain(revoked.session.id);
  });

  it("leaves out sessions past their deadlines", async () => {
    const { manager, clock } = setup({ idleTimeoutMs: 10 * MINUTE_MS });
    await manager.create({ userId: "u1" });
    clock.storeLagMs = HOUR_MS;
    clock.advance(11 * MINUTE_MS);

    expect(await manager.listForUser("u1")).toEqual([]);
  });
});

describe("create (maxSessionsPerUser)", () => {
  it("revokes the LRU session past the cap, with a session-cap event (RES-04)", async () => {
    const { manager, clock, events } = setup({ maxSessionsPerUser: 3 });
    const issued = [];
    for (let i = 0; i < 3; i++) {
      issued.push(await manager.create({ userId: "u1" }));
      clock.advance(2 * MINUTE_MS);
    }
    await manager.validateCookieHeader(cookie(issued[0]?.token ?? ""));
    clock.advance(MINUTE_MS);

    const fourth = await manager.create({ userId: "u1" });
    const live = await manager.listForUser("u1");

    expect(live).toHaveLength(3);
    expect(live.map((summary) => summary.id)).not.toContain(issued[1]?.session.id);
    expect(live.map((summary) => summary.id)).toContain(fourth.session.id);
    expect(reasonOf(await manager.validateCookieHeader(cookie(issued[1]?.token ?? "")))).toBe(
      "revoked",
    );
    expect(eventsOf(events, "session.revoked")).toEqual([
      expect.objectContaining({
        cause: "session-cap",
        userId: "u1",
        sessionIdPrefix: issued[1]?.session.id.slice(0, 8),
      }),
    ]);
  });

  it("never holds more than the cap live over many creates", async () => {
    const { manager, clock } = setup({ maxSessionsPerUser: 2 });

    for (let i = 0; i < 20; i++) {
      await manager.create({ userId: "u1" });
      clock.advance(1_000);
      expect((await manager.listForUser("u1")).length).toBeLessThanOrEqual(2);
    }
    expect((await manager.create({ userId: "u2" })).session.userId).toBe("u2");
  });

  it.each([1, 3])(
    "holds the cap of %i once 20 logins that ran at once have finished",
    async (cap) => {
      const { manager, events } = setup({ maxSessionsPerUser: cap });
      await manager.create({ userId: "u1" });

      const logins = await Promise.all(
        Array.from({ length: 20 }, () => manager.create({ userId: "u1" })),
      );
      const live = await manager.listForUser("u1");

      expect(live).toHaveLength(cap);
      // Every login wrote its session; all but the kept ones were revoked for the cap.
      expect(new Set(logins.map((login) => login.session.id)).size).toBe(20);
      const revoked = new Set(
        eventsOf(events, "session.revoked").map((event) => event.sessionIdPrefix),
      );
      expect(revoked.size).toBe(21 - cap);
    },
  );
});
