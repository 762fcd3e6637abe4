import { describe, expect, it } from "vitest";
import { SessionRevokedError, StoreError } from "../../src/core/errors.js";
import {
  cookie,
  eventsOf,
  HOUR_MS,
  isClearing,
  MINUTE_MS,
  reasonOf,
  SECOND_MS,
  setup,
} from "./fixture.js";

describe("rotate", () => {
  it("issues a working new token and kills the old one at once with grace 0", async () => {
    const { manager, events } = setup();
    const original = await manager.create({ userId: "u1", data: { cart: [1] } });

    const rotated = await manager.rotate(original.session);
    const fresh = await manager.validateCookieHeader(cookie(rotated.token));
    const old = await manager.validateCookieHeader(cookie(original.token));

    expect(rotated.session.id).not.toBe(original.session.id);
    expect(rotated.setCookie).toContain(`__Host-sid=${rotated.token}`);
    expect(fresh.ok && fresh.session).toMatchObject({ userId: "u1", data: { cart: [1] } });
    expect(reasonOf(old)).toBe("superseded");
    // No clearing cookie: it could arrive after, and delete, the successor's cookie.
    expect(old.setCookie).toBeNull();
    expect(eventsOf(events, "session.rotated")).toHaveLength(1);
  });

  it(
    "lets the old token lead to the successor until graceUntil, exclusive, " +
      "then reports a replay (REN-04)",
    async () => {
      const { manager, clock, events } = setup();
      const original = await manager.create();
      const t0 = clock.now();
      const rotated = await manager.rotate(original.session, { graceMs: 10 * SECOND_MS });

      clock.set(t0 + 10 * SECOND_MS - 1);
      const inGrace = await manager.validateCookieHeader(cookie(original.token));
      clock.set(t0 + 10 * SECOND_MS);
      const afterGrace = await manager.validateCookieHeader(cookie(original.token));

      expect(inGrace.ok && inGrace.session.id).toBe(rotated.session.id);
      expect(inGrace.setCookie).toBeNull();
      expect(reasonOf(afterGrace)).toBe("superseded");
      expect(eventsOf(events, "session.replay")).toEqual([
        expect.objectContaining({
          sessionIdPrefix: original.session.id.slice(0, 8),
          successorIdPrefix: rotated.session.id.slice(0, 8),
        }),
      ]);
    },
  );

  it("ends the grace path as soon as the successor is revoked", async () => {
    const { manager } = setup();
    const original = await manager.create();
    const rotated = await manager.rotate(original.session, { graceMs: 10 * SECOND_MS });

    await manager.revoke(rotated.session);
    const old = await manager.validateCookieHeader(cookie(original.token));

    expect(reasonOf(old)).toBe("superseded");
  });

  it(
    "lets exactly one of two parallel rotations win; " +
      "the other throws SessionRevokedError (REN-01)",
    async () => {
      const { manager, memory } = setup({ maxSessionsPerUser: null });
      const original = await manager.create({ userId: "u1" });

      const outcomes = await Promise.allSettled([
        manager.rotate(original.session),
        manager.rotate(original.session),
      ]);
      const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
      const lost = outcomes.filter((outcome) => outcome.status === "rejected");
      const live = await manager.listForUser("u1");

      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.status === "rejected" && lost[0].reason).toBeInstanceOf(SessionRevokedError);
      expect(live.map((summary) => summary.id)).toEqual([
        won[0]?.status === "fulfilled" ? won[0].value.session.id : "",
      ]);
      expect(memory.stats().records).toBe(2);
    },
  );

  it("keeps the absolute deadline and createdAt across a rotation (REN-02)", async () => {
    const { manager, clock } = setup({ idleTimeoutMs: 12 * HOUR_MS });
    const original = await manager.create();
    clock.advance(11 * HOUR_MS);

    const rotated = await manager.rotate(original.session);

    expect(rotated.session.absoluteExpiresAt).toBe(original.session.absoluteExpiresAt);
    expect(rotated.session.createdAt).toBe(original.session.createdAt);
    expect(rotated.session.idleExpiresAt).toBe(original.session.absoluteExpiresAt);
    expect(rotated.session.lastSeenAt).toBe(clock.now());
  });

  it(
    "leaves the old token working and issues no cookie " +
      "when the supersede write fails (REN-03)",
    async () => {
      const { manager, store, memory } = setup();
      const original = await manager.create();
      store.fault = { methods: new Set(["supersede"]), fault: "reject" };

      const rotation = manager.rotate(original.session);

      await expect(rotation).rejects.toBeInstanceOf(StoreError);
      store.fault = null;
      expect((await manager.validateCookieHeader(cookie(original.token))).ok).toBe(true);
      expect(memory.stats().records).toBe(1);
    },
  );

  it("throws SessionRevokedError for a revoked session and writes nothing", async () => {
    const { manager, store } = setup();
    const original = await manager.create();
    await manager.revoke(original.session);
    store.resetCounts();

    await expect(manager.rotate(original.session)).rejects.toBeInstanceOf(SessionRevokedError);
    expect(store.count("supersede")).toBe(0);
  });

  it("retries after a concurrent data write and carries the new data over", async () => {
    const { manager } = setup();
    const original = await manager.create({ data: { a: 1 } });
    await manager.update(original.session, { set: { b: 2 } });

    const rotated = await manager.rotate(original.session);

    expect(rotated.session.data).toEqual({ a: 1, b: 2 });
  });
});

describe("login", () => {
  it("mints a new id, revoking the previous token once it resolves (FR-39, FIX-02)", async () => {
    const { manager, clock, memory } = setup();
    const anonymous = await manager.create({ data: { cart: [1, 2] } });
    clock.advance(5 * MINUTE_MS);

    const login = await manager.login(anonymous.session, { userId: "u1" });
    const old = await manager.validateCookieHeader(cookie(anonymous.token));
    const fresh = await manager.validateCookieHeader(cookie(login.token));

    expect(login.session.id).not.toBe(anonymous.session.id);
    expect(reasonOf(old)).toBe("revoked");
    expect(fresh.ok && fresh.session.userId).toBe("u1");
    expect(login.session.data).toEqual({});
    expect(memory.stats().records).toBe(2);
  });

  it("carries the previous data over only with carryData", async () => {
    const { manager } = setup();
    const anonymous = await manager.create({ data: { cart: [1, 2], theme: "dark" } });

    const login = await manager.login(anonymous.session, {
      userId: "u1",
      carryData: true,
      data: { theme: "light" },
    });

    expect(login.session.data).toEqual({ cart: [1, 2], theme: "light" });
  });

  it("records authenticatedAt and resets both timers (FIX-03)", async () => {
    const { manager, clock } = setup({ idleTimeoutMs: 30 * MINUTE_MS });
    const before = await manager.create({ userId: "u1" });
    clock.advance(6 * HOUR_MS);

    const login = await manager.login(before.session, { userId: "u1" });

    expect(login.session.authenticatedAt).toBe(clock.now());
    expect(login.session.createdAt).toBe(clock.now());
    expect(login.session.idleExpiresAt).toBe(clock.now() + 30 * MINUTE_MS);
    expect(login.session.absoluteExpiresAt).toBe(clock.now() + 12 * HOUR_MS);
  });

  it("creates a fresh session when there is no current one", async () => {
    const { manager } = setup();

    const login = await manager.login(null, { userId: "u1", data: { a: 1 } });

    expect(login.session).toMatchObject({ userId: "u1", data: { a: 1 } });
  });
});
