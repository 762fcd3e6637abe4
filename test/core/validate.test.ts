import { describe, expect, it } from "vitest";
import { SignedCodec } from "../../src/codec/signed.js";
import {
  cookie,
  eventsOf,
  flipLast,
  HOUR_MS,
  isClearing,
  MINUTE_MS,
  reasonOf,
  setup,
} from "./fixture.js";

const KEY = "k".repeat(32);

describe("validateCookieHeader", () => {
  it("returns missing when no header is sent", async () => {
    const { manager, store } = setup();

    for (const header of [undefined, null, "", [], "other=1"]) {
      const result = await manager.validateCookieHeader(header);
      expect(result).toEqual({ ok: false, reason: "missing", setCookie: null });
    }
    expect(store.total()).toBe(0);
  });

  it("returns ok with the session for a live token", async () => {
    const { manager } = setup();
    const issued = await manager.create({ userId: "u1", data: { theme: "dark" } });

    const result = await manager.validateCookieHeader(`a=1; ${cookie(issued.token)}; b=2`);

    expect(result.ok).toBe(true);
    expect(result.ok && result.session).toMatchObject({ userId: "u1", data: { theme: "dark" } });
  });

  it.each([
    ["empty value (TOK-01)", "__Host-sid="],
    ["bare name without = (TOK-01)", "__Host-sid"],
    ["token minus its last character (TOK-02)", "TRUNCATE"],
    ["token plus one character (TOK-02)", "EXTEND"],
    ["a + inside (TOK-03)", "PLUS"],
    ["a / inside (TOK-03)", "SLASH"],
    ["= padding inside (TOK-03)", "PAD"],
    ["a %41 escape inside (TOK-03)", "PERCENT"],
    ["* (INJ-01)", "__Host-sid=*"],
    ["sess:* (INJ-01)", "__Host-sid=sess:*"],
    ["SQL quote (INJ-01)", "__Host-sid=' OR '1'='1"],
    ["path traversal (INJ-01)", "__Host-sid=../../etc/passwd"],
    ["backslash (INJ-01)", "__Host-sid=a\\b"],
    ["a quoted token", "QUOTED"],
    ["10 KB of A (PAR-09)", `__Host-sid=${"A".repeat(10_240)}`],
  ])("returns malformed with zero store calls for %s", async (_, shape) => {
    const { manager, store } = setup();
    const { token } = await manager.create();
    const headers: Record<string, string> = {
      TRUNCATE: cookie(token.slice(0, -1)),
      EXTEND: cookie(`${token}A`),
      PLUS: cookie(`${token.slice(0, 30)}+${token.slice(31)}`),
      SLASH: cookie(`${token.slice(0, 30)}/${token.slice(31)}`),
      PAD: cookie(`${token.slice(0, 64)}==`.slice(0, 66)),
      PERCENT: cookie(`${token.slice(0, 30)}%41${token.slice(33)}`),
      QUOTED: cookie(`"${token}"`),
    };
    store.resetCounts();

    const result = await manager.validateCookieHeader(headers[shape] ?? shape);

    expect(reasonOf(result)).toBe("malformed");
    expect(result.setCookie).toBeNull();
    expect(store.total()).toBe(0);
  });

  it("returns bad-signature for a tampered tag with the signed codec", async () => {
    const codec = new SignedCodec({ keys: [KEY], cookieName: "__Host-sid" });
    const { manager, store } = setup({ codec });
    const issued = await manager.create();
    const value = issued.setCookie.split(";")[0]?.slice("__Host-sid=".length) ?? "";
    store.resetCounts();

    const good = await manager.validateCookieHeader(cookie(value));
    const bad = await manager.validateCookieHeader(cookie(flipLast(value)));

    expect(good.ok).toBe(true);
    expect(reasonOf(bad)).toBe("bad-signature");
    expect(store.count("get")).toBe(1);
  });

  it("re-sends a cookie verified with an older key, signed with the newest (stale)", async () => {
    const oldKey = "o".repeat(32);
    const before = setup({ codec: new SignedCodec({ keys: [oldKey], cookieName: "__Host-sid" }) });
    const after = setup({
      memory: before.memory,
      clock: before.clock,
      codec: new SignedCodec({ keys: [KEY, oldKey], cookieName: "__Host-sid" }),
    });
    const issued = await before.manager.create();
    const oldValue = issued.setCookie.split(";")[0]?.slice("__Host-sid=".length) ?? "";

    const result = await after.manager.validateCookieHeader(cookie(oldValue));
    const resent = result.setCookie?.split(";")[0]?.slice("__Host-sid=".length) ?? "";

    expect(result.ok && result.renewed).toBe(false);
    expect(resent.startsWith(issued.token)).toBe(true);
    expect(resent).not.toBe(oldValue);
    expect((await after.manager.validateCookieHeader(cookie(resent))).setCookie).toBeNull();
  });

  it("returns ambiguous for two different live tokens and touches neither (PAR-01)", async () => {
    const { manager, store, clock, raw } = setup();
    const first = await manager.create();
    const second = await manager.create();
    clock.advance(10 * MINUTE_MS);
    store.resetCounts();

    const result = await manager.validateCookieHeader(
      `${cookie(first.token)}; ${cookie(second.token)}`,
    );

    expect(reasonOf(result)).toBe("ambiguous");
    expect(store.total()).toBe(0);
    expect((await raw(first.session.id))?.lastSeenAt).toBe(first.session.lastSeenAt);
    expect((await raw(second.session.id))?.lastSeenAt).toBe(second.session.lastSeenAt);
  });

  it("returns ambiguous for two live tokens split over two header fields", async () => {
    const { manager } = setup();
    const first = await manager.create();
    const second = await manager.create();

    const result = await manager.validateCookieHeader([cookie(first.token), cookie(second.token)]);

    expect(reasonOf(result)).toBe("ambiguous");
  });

  it("accepts identical duplicates of one token (PAR-02)", async () => {
    const { manager } = setup();
    const { token } = await manager.create();

    const result = await manager.validateCookieHeader(`${cookie(token)}; ${cookie(token)}`);

    expect(result.ok).toBe(true);
  });

  it("ignores a malformed duplicate next to a good token", async () => {
    const { manager } = setup();
    const { token } = await manager.create();

    const result = await manager.validateCookieHeader(`__Host-sid=junk; ${cookie(token)}`);

    expect(result.ok).toBe(true);
  });

  it("returns unknown for a never-issued token and stores nothing (TOK-04, FIX-01)", async () => {
    const { manager, raw, memory, writes } = setup();
    const planted = "A".repeat(22) + "." + "B".repeat(43);

    const result = await manager.validateCookieHeader(cookie(planted));
    const login = await manager.login(null, { userId: "u1" });

    expect(reasonOf(result)).toBe("unknown");
    expect(result.setCookie).toBeNull();
    expect(await raw("A".repeat(22))).toBeNull();
    expect(login.session.id).not.toBe("A".repeat(22));
    expect(memory.stats().records).toBe(1);
    expect(writes()).toBe(1);
  });

  it("returns bad-secret for a flipped secret, the record unchanged (TOK-05)", async () => {
    const { manager, clock, raw, writes } = setup();
    const issued = await manager.create();
    const before = await raw(issued.session.id);
    clock.advance(10 * MINUTE_MS);

    const result = await manager.validateCookieHeader(cookie(flipLast(issued.token)));

    expect(reasonOf(result)).toBe("bad-secret");
    expect(result.setCookie).toBeNull();
    expect(await raw(issued.session.id)).toEqual(before);
    expect(writes()).toBe(1);
  });

  it("returns revoked with a clearing cookie after revoke", async () => {
    const { manager } = setup();
    const issued = await manager.create();
    await manager.revoke(issued.session);

    const result = await manager.validateCookieHeader(cookie(issued.token));

    expect(reasonOf(result)).toBe("revoked");
    expect(isClearing(result.setCookie)).toBe(true);
  });

  it("returns superseded, and no clearing cookie, for a rotated-away token", async () => {
    const { manager } = setup();
    const issued = await manager.create();
    await manager.rotate(issued.session);

    const result = await manager.validateCookieHeader(cookie(issued.token));

    expect(reasonOf(result)).toBe("superseded");
    expect(result.setCookie).toBeNull();
  });

  it("returns binding-mismatch for another User-Agent when bound", async () => {
    const { manager } = setup({ binding: { userAgent: true } });
    const issued = await manager.create({ client: { userAgent: "UA-1" } });

    const result = await manager.validateCookieHeader(cookie(issued.token), { userAgent: "UA-2" });

    expect(reasonOf(result)).toBe("binding-mismatch");
  });

  it("returns corrupt, reports store.corrupt-record and deletes the record", async () => {
    const { manager, store, events, raw } = setup();
    const issued = await manager.create();
    const id = issued.session.id;
    store.fault = {
      methods: new Set(["get"]),
      fault: async () => ({ corrupt: true, id, detail: "bad expiresAt" }),
    };

    const result = await manager.validateCookieHeader(cookie(issued.token));
    store.fault = null;

    expect(reasonOf(result)).toBe("corrupt");
    expect(eventsOf(events, "store.corrupt-record")).toEqual([
      expect.objectContaining({ sessionIdPrefix: id.slice(0, 8), detail: "bad expiresAt" }),
    ]);
    expect(store.count("delete")).toBe(1);
    expect(await raw(id)).toBeNull();
  });

  it(
    "is ok 1 ms before the idle deadline and expired-idle at it, " + "removed and cleared (EXP-01)",
    async () => {
      const { manager, clock, raw } = setup({ idleTimeoutMs: 30 * MINUTE_MS });
      const t0 = clock.now();
      const early = await manager.create();
      const onTime = await manager.create();
      // The store lags a second behind (a TTL or sweep yet to run), so the core decides.
      clock.storeLagMs = 1_000;

      clock.set(t0 + 30 * MINUTE_MS - 1);
      const before = await manager.validateCookieHeader(cookie(early.token));
      clock.set(t0 + 30 * MINUTE_MS);
      const at = await manager.validateCookieHeader(cookie(onTime.token));

      expect(before.ok).toBe(true);
      expect(reasonOf(at)).toBe("expired-idle");
      expect(isClearing(at.setCookie)).toBe(true);
      expect(await raw(onTime.session.id)).toBeNull();
    },
  );

  it("is expired-idle 1 ms after the idle deadline (EXP-01)", async () => {
    const { manager, clock } = setup({ idleTimeoutMs: 30 * MINUTE_MS });
    const t0 = clock.now();
    const { token } = await manager.create();
    clock.storeLagMs = 1_000;

    clock.set(t0 + 30 * MINUTE_MS + 1);
    const after = await manager.validateCookieHeader(cookie(token));

    expect(reasonOf(after)).toBe("expired-idle");
    expect(isClearing(after.setCookie)).toBe(true);
  });

  it("gives no session at the idle deadline when the store drops the record on time", async () => {
    const { manager, clock } = setup({ idleTimeoutMs: 30 * MINUTE_MS });
    const { token } = await manager.create();

    clock.advance(30 * MINUTE_MS);
    const result = await manager.validateCookieHeader(cookie(token));

    expect(result.ok).toBe(false);
  });

  it("expires at the absolute deadline despite activity every minute (EXP-02)", async () => {
    const { manager, clock } = setup({ idleTimeoutMs: 30 * MINUTE_MS });
    const t0 = clock.now();
    const { token } = await manager.create();

    for (let t = t0 + MINUTE_MS; t < t0 + 12 * HOUR_MS; t += MINUTE_MS) {
      clock.set(t);
      const result = await manager.validateCookieHeader(cookie(token));
      expect(result.ok).toBe(true);
    }
    clock.storeLagMs = 1_000;
    clock.set(t0 + 12 * HOUR_MS - 1);
    const before = await manager.validateCookieHeader(cookie(token));
    clock.set(t0 + 12 * HOUR_MS);
    const at = await manager.validateCookieHeader(cookie(token));

    expect(before.ok).toBe(true);
    expect(reasonOf(at)).toBe("expired-absolute");
    expect(isClearing(at.setCookie)).toBe(true);
  });

  it(
    "expires a record past its deadline that the store still holds, " +
      "without extending it (EXP-03, FR-02)",
    async () => {
      const { manager, clock, store, raw, events } = setup({ idleTimeoutMs: 10 * MINUTE_MS });
      const { token, session } = await manager.create();
      clock.storeLagMs = HOUR_MS;
      clock.advance(HOUR_MS);
      store.resetCounts();

      const result = await manager.validateCookieHeader(cookie(token));

      expect(reasonOf(result)).toBe("expired-idle");
      expect(store.count("touch")).toBe(0);
      expect(store.count("delete")).toBe(1);
      expect(await raw(session.id)).toBeNull();
      expect(eventsOf(events, "session.expired")).toHaveLength(1);
    },
  );

  it("decides from stored times only, ignoring any Expires or Max-Age sent (EXP-04)", async () => {
    const { manager, clock } = setup({ idleTimeoutMs: 10 * MINUTE_MS });
    const { token } = await manager.create({ persistent: true });
    const forged = `${cookie(token)}; Expires=Fri, 31 Dec 9999 23:59:59 GMT; Max-Age=999999999`;

    const early = await manager.validateCookieHeader(forged);
    clock.storeLagMs = HOUR_MS;
    clock.advance(10 * MINUTE_MS);
    const late = await manager.validateCookieHeader(forged);

    expect(early.ok).toBe(true);
    expect(reasonOf(late)).toBe("expired-idle");
  });

  it.each([
    ["sid=<T> (prefix stripped, FIX-05)", "sid"],
    ["__host-sid=<T> (other case)", "__host-sid"],
    ["X__Host-sid=<T>", "X__Host-sid"],
    ["__Host-sid2=<T>", "__Host-sid2"],
  ])("returns missing when only %s is sent", async (_, name) => {
    const { manager, store } = setup();
    const { token } = await manager.create();
    store.resetCounts();

    const result = await manager.validateCookieHeader(cookie(token, name));

    expect(reasonOf(result)).toBe("missing");
    expect(store.total()).toBe(0);
  });
});

describe("validateCookieValue", () => {
  it("returns ok for a codec value and missing for undefined or null", async () => {
    const { manager } = setup();
    const { token } = await manager.create();

    expect((await manager.validateCookieValue(token)).ok).toBe(true);
    expect(reasonOf(await manager.validateCookieValue(undefined))).toBe("missing");
    expect(reasonOf(await manager.validateCookieValue(null))).toBe("missing");
  });

  it.each([[42], [{}], [["x"]], [""], [Symbol("s")]])(
    "returns malformed for %s with zero store calls",
    async (value) => {
      const { manager, store } = setup();

      const result = await manager.validateCookieValue(value);

      expect(reasonOf(result)).toBe("malformed");
      expect(store.total()).toBe(0);
    },
  );

  it(
    "only reads the cookie: " +
      "a token in a query string or another header counts as missing (FIX-04)",
    async () => {
      const { manager } = setup();
      const { token } = await manager.create();

      const result = await manager.validateCookieHeader(`x-session-id=${token}; id=${token}`);

      expect(reasonOf(result)).toBe("missing");
    },
  );
});
