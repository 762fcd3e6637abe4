import { describe, expect, it } from "vitest";
import {
  cookie,
  eventsOf,
  HOUR_MS,
  maxAgeOf,
  MINUTE_MS,
  reasonOf,
  SECOND_MS,
  setup,
} from "./fixture.js";

describe("validateCookieHeader (renewal)", () => {
  it("writes at most one touch for 100 validates in 60 s at a 60 s interval (REN-05)", async () => {
    const { manager, clock, store } = setup({ renewalIntervalMs: 60 * SECOND_MS });
    const { token } = await manager.create();
    const t0 = clock.now();
    store.resetCounts();

    for (let i = 0; i < 100; i++) {
      clock.set(t0 + 30 * SECOND_MS + i * 600);
      expect((await manager.validateCookieHeader(cookie(token))).ok).toBe(true);
    }

    expect(store.count("touch")).toBeLessThanOrEqual(1);
    expect(store.count("get")).toBe(100);
  });

  it("makes exactly one store call (get) and sends no Set-Cookie inside the interval", async () => {
    const { manager, clock, store } = setup({ persistentCookie: true });
    const { token } = await manager.create();
    clock.advance(30 * SECOND_MS);
    store.resetCounts();

    const result = await manager.validateCookieHeader(cookie(token));

    expect(result.ok && result.renewed).toBe(false);
    expect(result.setCookie).toBeNull();
    expect(store.total()).toBe(1);
    expect(store.count("get")).toBe(1);
  });

  it(
    "keeps a session alive with a read every 2 min " +
      "and stores idle = last renewal + idle (FR-05, FR-12)",
    async () => {
      const { manager, clock, raw, events } = setup({ idleTimeoutMs: 10 * MINUTE_MS });
      const t0 = clock.now();
      const { token, session } = await manager.create();
      let lastRenewal = t0;

      for (let t = t0 + 2 * MINUTE_MS; t <= t0 + 14 * MINUTE_MS; t += 2 * MINUTE_MS) {
        clock.set(t);
        const result = await manager.validateCookieHeader(cookie(token));
        expect(result.ok).toBe(true);
        if (result.ok && result.renewed) lastRenewal = t;
      }

      expect(lastRenewal).toBe(t0 + 14 * MINUTE_MS);
      expect((await raw(session.id))?.idleExpiresAt).toBe(lastRenewal + 10 * MINUTE_MS);
      expect(eventsOf(events, "session.renewed")).toHaveLength(7);
    },
  );

  it(
    "never sends a persistent Max-Age beyond the remaining absolute time, " +
      "and ends at it (FR-01)",
    async () => {
      const { manager, clock } = setup({ idleTimeoutMs: HOUR_MS, absoluteTimeoutMs: 3 * HOUR_MS });
      const t0 = clock.now();
      const { token, session } = await manager.create({ persistent: true });
      let sent = 0;

      for (let t = t0 + 5 * MINUTE_MS; t < t0 + 3 * HOUR_MS; t += 5 * MINUTE_MS) {
        clock.set(t);
        const result = await manager.validateCookieHeader(cookie(token));
        expect(result.ok).toBe(true);
        if (result.setCookie === null) continue;
        sent++;
        const maxAge = maxAgeOf(result.setCookie) ?? Infinity;
        expect(Number.isInteger(maxAge)).toBe(true);
        expect(maxAge * 1000).toBeLessThanOrEqual(session.absoluteExpiresAt - t);
      }
      clock.set(t0 + 3 * HOUR_MS);
      const atDeadline = await manager.validateCookieHeader(cookie(token));

      expect(sent).toBeGreaterThan(30);
      expect(atDeadline.ok).toBe(false);
    },
  );

  it(
    "re-sends the persistent cookie with the new Max-Age on every renewal " +
      "(FR-28, FR-35, FR-37, FR-46)",
    async () => {
      const { manager, clock } = setup({ idleTimeoutMs: 10 * MINUTE_MS });
      const { token } = await manager.create({ persistent: true });
      clock.advance(2 * MINUTE_MS);

      const result = await manager.validateCookieHeader(cookie(token));

      expect(result.ok && result.renewed).toBe(true);
      expect(result.setCookie).toContain(`__Host-sid=${token}`);
      expect(maxAgeOf(result.setCookie ?? "")).toBe(10 * 60);
    },
  );

  it("sends no Set-Cookie when a browser-session cookie is renewed", async () => {
    const { manager, clock } = setup({ idleTimeoutMs: 10 * MINUTE_MS });
    const { token } = await manager.create();
    clock.advance(2 * MINUTE_MS);

    const result = await manager.validateCookieHeader(cookie(token));

    expect(result.ok && result.renewed).toBe(true);
    expect(result.setCookie).toBeNull();
  });

  it(
    "keeps a persistent session valid past its idle timeout with activity, " +
      "up to the absolute cap (FR-43)",
    async () => {
      const { manager, clock } = setup({
        idleTimeoutMs: 10 * MINUTE_MS,
        absoluteTimeoutMs: HOUR_MS,
      });
      const t0 = clock.now();
      const { token } = await manager.create({ persistent: true });

      for (let t = t0 + 3 * MINUTE_MS; t < t0 + HOUR_MS; t += 3 * MINUTE_MS) {
        clock.set(t);
        expect((await manager.validateCookieHeader(cookie(token))).ok).toBe(true);
      }
      clock.storeLagMs = SECOND_MS;
      clock.set(t0 + HOUR_MS);

      expect(reasonOf(await manager.validateCookieHeader(cookie(token)))).toBe("expired-absolute");
    },
  );

  it("never moves the idle deadline past the absolute deadline (R31)", async () => {
    const { manager, clock, raw } = setup({
      idleTimeoutMs: HOUR_MS,
      absoluteTimeoutMs: 2 * HOUR_MS,
    });
    const { token, session } = await manager.create({ persistent: true });
    clock.advance(50 * MINUTE_MS);
    await manager.validateCookieHeader(cookie(token));
    clock.advance(50 * MINUTE_MS);

    const result = await manager.validateCookieHeader(cookie(token));
    const stored = await raw(session.id);

    expect(result.ok && result.session.idleExpiresAt).toBe(session.absoluteExpiresAt);
    expect(stored?.idleExpiresAt).toBe(session.absoluteExpiresAt);
    // The store keeps the record one minute past its deadline so a late request hears "expired".
    expect(stored?.expiresAt).toBe(session.absoluteExpiresAt + MINUTE_MS);
    expect(maxAgeOf(result.setCookie ?? "")).toBe(20 * 60);
  });

  it("renews a per-session idle timeout shorter than the manager's renewal interval", async () => {
    const { manager, clock } = setup({ preset: "remember-me" });
    const t0 = clock.now();
    const { token } = await manager.create({ timeouts: { idleTimeoutMs: 40 * SECOND_MS } });

    for (let t = t0 + 15 * SECOND_MS; t <= t0 + 5 * MINUTE_MS; t += 15 * SECOND_MS) {
      clock.set(t);
      expect((await manager.validateCookieHeader(cookie(token))).ok).toBe(true);
    }
  });

  it("keeps all of 1000 parallel validates of one token ok with one record (CON-02)", async () => {
    const { manager, clock, memory, raw } = setup();
    const { token, session } = await manager.create();
    clock.advance(2 * MINUTE_MS);

    const results = await Promise.all(
      Array.from({ length: 1000 }, () => manager.validateCookieHeader(cookie(token))),
    );

    expect(results.every((result) => result.ok)).toBe(true);
    expect(memory.stats().records).toBe(1);
    expect((await raw(session.id))?.lastSeenAt).toBe(clock.now());
  });
});
