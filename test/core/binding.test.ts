import { describe, expect, it } from "vitest";
import { parseIp } from "../../src/core/binding.js";
import { cookie, eventsOf, reasonOf, SECOND_MS, setup } from "./fixture.js";

const IP_BINDING = { ipPrefix: { v4: 24, v6: 64 } };

describe("validateCookieHeader (binding)", () => {
  it("rejects another User-Agent with reject and keeps the session for the right one", async () => {
    const { manager, events } = setup({ binding: { userAgent: true } });
    const { token } = await manager.create({ client: { userAgent: "UA-1" } });

    const wrong = await manager.validateCookieHeader(cookie(token), { userAgent: "UA-2" });
    const missing = await manager.validateCookieHeader(cookie(token));
    const right = await manager.validateCookieHeader(cookie(token), { userAgent: "UA-1" });

    expect(reasonOf(wrong)).toBe("binding-mismatch");
    expect(reasonOf(missing)).toBe("binding-mismatch");
    expect(right.ok).toBe(true);
    expect(eventsOf(events, "session.binding-mismatch")[0]).toMatchObject({
      field: "userAgent",
      action: "reject",
    });
  });

  it("revokes the session on a User-Agent mismatch with revoke", async () => {
    const { manager, events } = setup({ binding: { userAgent: true, onMismatch: "revoke" } });
    const { token } = await manager.create({ userId: "u1", client: { userAgent: "UA-1" } });

    const wrong = await manager.validateCookieHeader(cookie(token), { userAgent: "UA-2" });
    const right = await manager.validateCookieHeader(cookie(token), { userAgent: "UA-1" });

    expect(reasonOf(wrong)).toBe("binding-mismatch");
    expect(reasonOf(right)).toBe("revoked");
    expect(eventsOf(events, "session.revoked")).toEqual([
      expect.objectContaining({ cause: "binding-mismatch", userId: "u1" }),
    ]);
  });

  it("with revoke, a mismatch through a grace-period token revokes the successor", async () => {
    const binding = { userAgent: true, onMismatch: "revoke" } as const;
    const { manager, events } = setup({ binding });
    const original = await manager.create({ userId: "u1", client: { userAgent: "UA-1" } });
    const rotated = await manager.rotate(original.session, { graceMs: 10 * SECOND_MS });

    const stolen = await manager.validateCookieHeader(cookie(original.token), {
      userAgent: "UA-2",
    });
    const owner = await manager.validateCookieHeader(cookie(rotated.token), { userAgent: "UA-1" });

    expect(reasonOf(stolen)).toBe("binding-mismatch");
    expect(reasonOf(owner)).toBe("revoked");
    expect(eventsOf(events, "session.binding-mismatch")).toEqual([
      expect.objectContaining({
        sessionIdPrefix: rotated.session.id.slice(0, 8),
        field: "userAgent",
        action: "revoke",
      }),
    ]);
    expect(eventsOf(events, "session.revoked")).toEqual([
      expect.objectContaining({ cause: "binding-mismatch", userId: "u1" }),
    ]);
  });

  it("with reject, a mismatch through a grace token leaves the successor alive", async () => {
    const { manager, events } = setup({ binding: { userAgent: true } });
    const original = await manager.create({ client: { userAgent: "UA-1" } });
    const rotated = await manager.rotate(original.session, { graceMs: 10 * SECOND_MS });

    const stolen = await manager.validateCookieHeader(cookie(original.token), {
      userAgent: "UA-2",
    });
    const owner = await manager.validateCookieHeader(cookie(rotated.token), { userAgent: "UA-1" });

    expect(reasonOf(stolen)).toBe("binding-mismatch");
    expect(owner.ok).toBe(true);
    expect(eventsOf(events, "session.binding-mismatch")).toEqual([
      expect.objectContaining({ field: "userAgent", action: "reject" }),
    ]);
  });

  it("does not bind when binding is off", async () => {
    const { manager } = setup();
    const { token } = await manager.create({ client: { userAgent: "UA-1", ip: "203.0.113.7" } });

    const result = await manager.validateCookieHeader(cookie(token), {
      userAgent: "other",
      ip: "198.51.100.1",
    });

    expect(result.ok).toBe(true);
  });

  it.each([
    ["203.0.113.7", "203.0.113.200", "ok"],
    ["203.0.113.7", "203.0.114.7", "binding-mismatch"],
    ["203.0.113.7", "::ffff:203.0.113.9", "ok"],
    ["::ffff:203.0.113.7", "203.0.113.7", "ok"],
    ["2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:5", "ok"],
    ["2001:db8:1:2::1", "2001:db8:1:3::1", "binding-mismatch"],
    ["2001:db8:1:2::1", "203.0.113.7", "binding-mismatch"],
    ["203.0.113.7", "not-an-ip", "binding-mismatch"],
    ["203.0.113.7", null, "binding-mismatch"],
  ])("binds %s with /24 and /64: a request from %s gives %s", async (created, from, expected) => {
    const { manager } = setup({ binding: IP_BINDING });
    const { token } = await manager.create({ client: { ip: created } });

    const result = await manager.validateCookieHeader(cookie(token), { ip: from });

    expect(reasonOf(result)).toBe(expected);
  });
});

describe("parseIp", () => {
  it("reads IPv4-mapped IPv6 as the IPv4 address", () => {
    expect(parseIp("::ffff:203.0.113.7")).toEqual(parseIp("203.0.113.7"));
    expect(parseIp("203.0.113.7")).toEqual(new Uint8Array([203, 0, 113, 7]));
  });

  it.each(["", "1.2.3", "1.2.3.256", "1:2:3:4:5:6:7:8:9", "1::2::3", "g::1", "1.2.3.4.5"])(
    "returns null for %j",
    (address) => {
      expect(parseIp(address)).toBeNull();
    },
  );

  it("expands :: in IPv6", () => {
    const bytes = parseIp("2001:db8::1");
    expect(bytes?.length).toBe(16);
    expect([...(bytes ?? [])]).toEqual([0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1]);
  });
});
