import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/stores/memory.js";
import type { SessionEvent } from "../../src/core/events.js";
import { LatchkeySessionManager } from "../../src/core/manager.js";
import { PlainCodec } from "../../src/codec/plain.js";
import { cookie, eventsOf, flipLast, HOUR_MS, MINUTE_MS, setup } from "./fixture.js";

describe("onEvent", () => {
  it("reports every lifecycle event with its type and no token or secret", async () => {
    const { manager, clock, events, store } = setup({
      binding: { userAgent: true },
      idleTimeoutMs: 10 * MINUTE_MS,
    });
    const issued = await manager.create({ userId: "u1", client: { userAgent: "UA" } });
    const secrets = [issued.token, issued.token.slice(23)];

    clock.advance(2 * MINUTE_MS);
    await manager.validateCookieHeader(cookie(issued.token), { userAgent: "UA" });
    await manager.validateCookieHeader(cookie(issued.token), { userAgent: "other" });
    await manager.validateCookieHeader(cookie(flipLast(issued.token)), { userAgent: "UA" });
    const rotated = await manager.rotate(issued.session);
    secrets.push(rotated.token, rotated.token.slice(23));
    await manager.validateCookieHeader(cookie(issued.token), { userAgent: "UA" });
    const expiring = await manager.create({ client: { userAgent: "UA" } });
    secrets.push(expiring.token, expiring.token.slice(23));
    clock.storeLagMs = HOUR_MS;
    clock.advance(11 * MINUTE_MS);
    await manager.validateCookieHeader(cookie(expiring.token), { userAgent: "UA" });
    clock.storeLagMs = 0;
    const corrupt = await manager.create();
    secrets.push(corrupt.token, corrupt.token.slice(23));
    store.fault = {
      methods: new Set(["get"]),
      fault: async () => ({ corrupt: true, id: corrupt.session.id, detail: "bad" }),
    };
    await manager.validateCookieHeader(cookie(corrupt.token));
    store.fault = null;
    await manager.revoke(rotated.session);
    await manager.revokeAllForUser("u1");

    const types = new Set(events.map((event) => event.type));
    for (const type of [
      "session.created",
      "session.renewed",
      "session.binding-mismatch",
      "session.rejected",
      "session.rotated",
      "session.replay",
      "session.expired",
      "store.corrupt-record",
      "session.revoked",
    ] as const) {
      expect(types.has(type), type).toBe(true);
    }
    const serialised = JSON.stringify(events);
    for (const secret of secrets) expect(serialised).not.toContain(secret);
    for (const event of events) {
      const prefix = "sessionIdPrefix" in event ? event.sessionIdPrefix : null;
      expect(prefix === null || prefix.length === 8).toBe(true);
    }
  });

  it("reports the reason in session.rejected, and nothing for a missing cookie", async () => {
    const { manager, events } = setup();

    await manager.validateCookieHeader(undefined);
    await manager.validateCookieHeader("__Host-sid=junk");

    expect(events.filter((event) => event.type === "session.rejected")).toEqual([
      expect.objectContaining({ reason: "malformed", sessionIdPrefix: null }),
    ]);
  });

  it("reports cookie.insecure-transport when built with insecureDevMode", () => {
    const { events } = setup({
      cookie: { name: "sid", secure: false, insecureDevMode: true },
    });

    expect(eventsOf(events, "cookie.insecure-transport")).toHaveLength(1);
  });

  it("passes notify() events to the handler", () => {
    const { manager, events } = setup();
    const event: SessionEvent = { type: "cookie.insecure-transport", at: 1, detail: "http" };

    manager.notify(event);

    expect(events).toEqual([event]);
  });

  it("carries on when the handler throws, in create, validate, rotate and revoke", async () => {
    let calls = 0;
    const manager = new LatchkeySessionManager({
      store: new MemoryStore({ sweepIntervalMs: null }),
      codec: new PlainCodec(),
      onEvent: () => {
        calls++;
        throw new Error("handler failure");
      },
    });

    const issued = await manager.create({ userId: "u1" });
    const valid = await manager.validateCookieHeader(cookie(issued.token));
    const rejected = await manager.validateCookieHeader("__Host-sid=junk");
    const rotated = await manager.rotate(issued.session);
    await manager.revoke(rotated.session);

    expect(valid.ok).toBe(true);
    expect(rejected.ok).toBe(false);
    expect(calls).toBeGreaterThanOrEqual(4);
  });
});
