import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/core/errors.js";
import { cookie, flipLast, MINUTE_MS, reasonOf, setup } from "./fixture.js";

describe("store faults", () => {
  it("turns a rejecting get into a StoreError with the cause, never no session", async () => {
    const { manager, store } = setup();
    const { token } = await manager.create();
    store.fault = { methods: "all", fault: "reject" };

    const validation = manager.validateCookieHeader(cookie(token));

    await expect(validation).rejects.toBeInstanceOf(StoreError);
    await expect(validation).rejects.toMatchObject({
      code: "store-unavailable",
      operation: "get",
      cause: expect.objectContaining({ message: "injected get fault" }),
    });
  });

  it.each(["create", "touch", "writeData", "markRevoked", "markRevokedByUser", "listByUser"])(
    "turns a rejecting %s into a StoreError",
    async (method) => {
      const { manager, store, clock } = setup({ maxSessionsPerUser: 5 });
      const { session, token } = await manager.create({ userId: "u1" });
      clock.advance(2 * MINUTE_MS);
      store.fault = { methods: new Set([method as "get"]), fault: "reject" };

      const calls: Record<string, () => Promise<unknown>> = {
        create: () => manager.create(),
        touch: () => manager.validateCookieHeader(cookie(token)),
        writeData: () => manager.update(session, { set: { a: 1 } }),
        markRevoked: () => manager.revoke(session),
        markRevokedByUser: () => manager.revokeAllForUser("u1"),
        listByUser: () => manager.create({ userId: "u1" }),
      };

      await expect(calls[method]?.()).rejects.toMatchObject({
        name: "StoreError",
        operation: method,
        cause: expect.any(Error),
      });
    },
  );

  it("fails with store-timeout after storeTimeoutMs when the store hangs (SF-06)", async () => {
    const { manager, store } = setup({ storeTimeoutMs: 50 });
    const { token } = await manager.create();
    store.fault = { methods: "all", fault: "hang" };

    const validation = manager.validateCookieHeader(cookie(token));

    await expect(validation).rejects.toBeInstanceOf(StoreError);
    await expect(validation).rejects.toMatchObject({ code: "store-timeout", operation: "get" });
  });

  it("keeps a latchkey error the store throws as it is", async () => {
    const { manager, store } = setup();
    const { token } = await manager.create();
    const original = new StoreError("store-schema", "get", "table missing");
    store.fault = { methods: "all", fault: () => Promise.reject(original) };

    await expect(manager.validateCookieHeader(cookie(token))).rejects.toBe(original);
  });

  it("treats a record with another id as unknown (SF-05)", async () => {
    const { manager, store, raw } = setup();
    const victim = await manager.create();
    const attacker = await manager.create();
    const victimRecord = await raw(victim.session.id);
    store.fault = { methods: new Set(["get"]), fault: async () => victimRecord };

    const result = await manager.validateCookieHeader(cookie(attacker.token));

    expect(reasonOf(result)).toBe("unknown");
  });

  it.each([
    ["unknown", "UNKNOWN"],
    ["bad-secret", "BAD_SECRET"],
    ["revoked", "REVOKED"],
    ["superseded", "SUPERSEDED"],
    ["ambiguous", "AMBIGUOUS"],
    ["binding-mismatch", "BINDING"],
  ])("makes no store write when validation fails with %s (C6)", async (reason, kind) => {
    const { manager, clock, store, writes } = setup({ binding: { userAgent: true } });
    const a = await manager.create({ client: { userAgent: "UA" } });
    const b = await manager.create({ client: { userAgent: "UA" } });
    if (kind === "REVOKED") await manager.revoke(a.session);
    if (kind === "SUPERSEDED") await manager.rotate(a.session);
    clock.advance(5 * MINUTE_MS);
    store.resetCounts();
    const headers: Record<string, string> = {
      UNKNOWN: cookie("A".repeat(22) + "." + "A".repeat(43)),
      BAD_SECRET: cookie(flipLast(a.token)),
      REVOKED: cookie(a.token),
      SUPERSEDED: cookie(a.token),
      AMBIGUOUS: `${cookie(a.token)}; ${cookie(b.token)}`,
      BINDING: cookie(a.token),
    };

    const result = await manager.validateCookieHeader(headers[kind], {
      userAgent: kind === "BINDING" ? "other" : "UA",
    });

    expect(reasonOf(result)).toBe(reason);
    expect(writes()).toBe(0);
  });
});
