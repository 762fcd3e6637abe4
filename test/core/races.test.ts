import { describe, expect, it } from "vitest";
import { LatchkeySessionManager } from "../../src/core/manager.js";
import { PlainCodec } from "../../src/codec/plain.js";
import { createSessionManager } from "../../src/index.js";
import { cookie, MINUTE_MS, reasonOf, SECOND_MS, setup } from "./fixture.js";

// Interleavings of two requests on one session, made deterministic by running the second
// request's step from inside the first one's store call.

describe("revoke racing a rotation", () => {
  it("revokes the successor when the session it was given was rotated meanwhile", async () => {
    const { manager } = setup();
    const issued = await manager.create({ userId: "u1" });
    const loaded = await manager.validateCookieHeader(cookie(issued.token));
    if (!loaded.ok) throw new Error("expected a session");

    const rotated = await manager.rotate(issued.session);
    await manager.revoke(loaded.session);

    const successor = await manager.validateCookieHeader(cookie(rotated.token));
    expect(reasonOf(successor)).toBe("revoked");
  });

  it("leaves the user no live session after login() raced a rotation", async () => {
    const { manager } = setup();
    const anonymous = await manager.create({});

    const rotated = await manager.rotate(anonymous.session);
    await manager.login(anonymous.session, { userId: "u1" });

    expect(reasonOf(await manager.validateCookieHeader(cookie(rotated.token)))).toBe("revoked");
  });
});

describe("validateCookieHeader with a renewal racing a rotation", () => {
  it("leads to the successor inside the grace period, and sends no clearing cookie", async () => {
    const harness = setup({ rotationGraceMs: 10 * SECOND_MS, renewalIntervalMs: MINUTE_MS });
    const { manager, store, clock } = harness;
    const issued = await manager.create({ userId: "u1" });
    clock.advance(2 * MINUTE_MS);

    // The renewal's touch meets the record after another request rotated it.
    let rotatedToken: string | null = null;
    store.fault = {
      methods: new Set(["touch"]),
      fault: async () => {
        store.fault = null;
        rotatedToken = (await manager.rotate(issued.session)).token;
        return store.touch(issued.session.id, {
          lastSeenAt: clock.now(),
          idleExpiresAt: clock.now() + MINUTE_MS,
          expiresAt: clock.now() + MINUTE_MS,
        });
      },
    };
    const result = await manager.validateCookieHeader(cookie(issued.token));

    expect(rotatedToken).not.toBeNull();
    expect(result.ok).toBe(true);
    expect(result.setCookie).toBeNull();
  });
});

describe("onEvent", () => {
  it("swallows the rejection of an async handler (no unhandled rejection)", async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on("unhandledRejection", listener);

    try {
      const manager = createSessionManager({
        onEvent: async () => {
          throw new Error("the log sink is down");
        },
      });
      const result = await manager.validateCookieHeader("__Host-sid=garbage");
      await new Promise((resolve) => setTimeout(resolve, 20));

      expect(reasonOf(result)).toBe("malformed");
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", listener);
    }
  });

  it("reaches the app from the default memory store (store.evicted)", async () => {
    const events: string[] = [];
    const manager = createSessionManager({ onEvent: (event) => events.push(event.type) });
    const first = await manager.create({ userId: "first" });

    // The default store caps at 100 000 entries; one more evicts the soonest-expiring record.
    for (let i = 0; i < 100_000; i++) await manager.create({});

    expect(reasonOf(await manager.validateCookieHeader(cookie(first.token)))).toBe("unknown");
    expect(events).toContain("store.evicted");
  });
});

describe("LatchkeySessionManager options", () => {
  it("refuses a renewal interval as long as the idle timeout", () => {
    expect(
      () =>
        new LatchkeySessionManager({
          store: setup().memory,
          codec: new PlainCodec(),
          idleTimeoutMs: MINUTE_MS,
          renewalIntervalMs: MINUTE_MS,
        }),
    ).toThrow(/renewalIntervalMs/);
  });
});
