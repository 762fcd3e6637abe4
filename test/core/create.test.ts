import { afterEach, describe, expect, it, vi } from "vitest";
import { createSessionManager, MemoryStore, StoreError } from "../../src/index.js";
import { hashSecret } from "../../src/core/token.js";
import {
  cookie,
  DAY_MS,
  HOUR_MS,
  maxAgeOf,
  MINUTE_MS,
  parseSetCookie,
  reasonOf,
  scriptedIdRandom,
  setup,
  T0,
} from "./fixture.js";

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("create", () => {
  it("issues a 66-character <22>.<43> base64url token whose id is the session id", async () => {
    const { manager } = setup();

    const issued = await manager.create();

    expect(issued.token).toHaveLength(66);
    expect(issued.token).toMatch(TOKEN_SHAPE);
    expect(issued.token.slice(0, 22)).toBe(issued.session.id);
  });

  it("stores the SHA-256 of the secret and never the secret itself (TOK-09)", async () => {
    const { manager, raw } = setup();

    const issued = await manager.create({ userId: "u1", data: { a: 1 } });
    const secret = issued.token.slice(23);
    const record = await raw(issued.session.id);

    expect(record?.secretHash).toBe(hashSecret(secret));
    expect(JSON.stringify(record)).not.toContain(secret);
  });

  it("rejects the stored hash replayed as the secret with bad-secret (TOK-09)", async () => {
    const { manager, raw } = setup();
    const issued = await manager.create();
    const record = await raw(issued.session.id);

    const replay = `${issued.session.id}.${record?.secretHash ?? ""}`;
    const result = await manager.validateCookieHeader(cookie(replay));

    expect(reasonOf(result)).toBe("bad-secret");
  });

  it(
    "sends exactly __Host-sid=<token>; Path=/; Secure; HttpOnly; SameSite=Lax " +
      "by default (SER-01)",
    async () => {
      const { manager } = setup();

      const issued = await manager.create();
      const parsed = parseSetCookie(issued.setCookie);

      expect(parsed.name).toBe("__Host-sid");
      expect(parsed.value).toBe(issued.token);
      expect(Object.fromEntries(parsed.attributes)).toEqual({
        path: "/",
        secure: true,
        httponly: true,
        samesite: "Lax",
      });
    },
  );

  it(
    "adds an integer Max-Age within the absolute lifetime " +
      "and 400 days for a persistent session (SER-01)",
    async () => {
      const { manager, clock } = setup({ preset: "remember-me" });

      const issued = await manager.create({ persistent: true });
      const maxAge = maxAgeOf(issued.setCookie);

      expect(Number.isInteger(maxAge)).toBe(true);
      expect(maxAge).toBe(7 * 86_400);
      expect(maxAge ?? Infinity).toBeLessThanOrEqual(
        (issued.session.absoluteExpiresAt - clock.now()) / 1000,
      );
      expect(parseSetCookie(issued.setCookie).attributes.has("domain")).toBe(false);
    },
  );

  it("caps Max-Age at 400 days when the lifetime is 400 days (SER-01)", async () => {
    const { manager } = setup({ idleTimeoutMs: 400 * DAY_MS, absoluteTimeoutMs: 400 * DAY_MS });

    const issued = await manager.create({ persistent: true });

    expect(maxAgeOf(issued.setCookie)).toBe(400 * 86_400);
  });

  it("takes a user id of up to 255 UTF-8 bytes, what every store keeps", async () => {
    const { manager } = setup();

    await expect(manager.create({ userId: "u".repeat(255) })).resolves.toBeDefined();
    await expect(manager.create({ userId: "u".repeat(256) })).rejects.toThrow(TypeError);
    // 128 characters, 256 bytes.
    await expect(manager.create({ userId: "é".repeat(128) })).rejects.toThrow(/255 UTF-8 bytes/);
    await expect(manager.create({ userId: "é".repeat(127) })).resolves.toBeDefined();
  });

  it.each([
    ["a lone high surrogate", "alice\ud800"],
    ["a lone low surrogate", "\udc00bob"],
    ["a NUL", "carol\u0000"],
  ])("refuses a user id with %s, which no store keeps as written", async (_name, userId) => {
    const { manager, store } = setup();

    await expect(manager.create({ userId })).rejects.toThrow(TypeError);
    await expect(manager.revokeAllForUser(userId)).rejects.toThrow(TypeError);
    await expect(manager.listForUser(userId)).rejects.toThrow(TypeError);
    expect(store.count("create") + store.count("markRevokedByUser")).toBe(0);
    await expect(manager.create({ userId: "dave\ud83d\ude00" })).resolves.toBeDefined();
  });

  it("gives a sub-second session Max-Age=1, never 0 (which deletes the cookie)", async () => {
    const { manager, clock } = setup({ idleTimeoutMs: 999, absoluteTimeoutMs: 999 });

    const issued = await manager.create({ persistent: true });
    const live = await manager.validateCookieHeader(cookie(issued.token));
    clock.advance(999);
    const expired = await manager.validateCookieHeader(cookie(issued.token));

    expect(maxAgeOf(issued.setCookie)).toBe(1);
    expect(live.ok).toBe(true);
    expect(reasonOf(expired)).toBe("expired-absolute");
  });

  it("uses the manager's persistentCookie default unless the call overrides it", async () => {
    const { manager } = setup({ persistentCookie: true });

    const persistent = await manager.create();
    const browserSession = await manager.create({ persistent: false });

    expect(maxAgeOf(persistent.setCookie)).toBe(30 * 60);
    expect(persistent.session.persistent).toBe(true);
    expect(maxAgeOf(browserSession.setCookie)).toBeNull();
  });

  it(
    "makes unique, well-formed tokens from the injected random source " +
      "even with Math.random stubbed (TOK-08)",
    async () => {
      vi.spyOn(Math, "random").mockReturnValue(0);
      const random = scriptedIdRandom([]);
      const memory = new MemoryStore({ sweepIntervalMs: null, maxEntries: null, now: () => T0 });
      const manager = createSessionManager({ store: memory, random, now: () => T0 });
      const tokens = new Set<string>();

      for (let i = 0; i < 100_000; i++) {
        const { token } = await manager.create();
        expect(TOKEN_SHAPE.test(token)).toBe(true);
        tokens.add(token);
      }

      expect(tokens.size).toBe(100_000);
      expect(random.reads).toBe(200_000);
      expect(memory.stats().records).toBe(100_000);
    },
  );

  it("retries with a new id when the random source repeats one, no overwrite (R4)", async () => {
    const repeated = new Uint8Array(16).fill(7);
    const random = scriptedIdRandom([repeated, repeated]);
    const { manager, store, raw } = setup({ random });

    const first = await manager.create({ userId: "first", data: { owner: "first" } });
    const second = await manager.create({ userId: "second", data: { owner: "second" } });

    expect(second.session.id).not.toBe(first.session.id);
    expect(store.count("create")).toBe(3);
    expect((await raw(first.session.id))?.data).toEqual({ owner: "first" });
    expect(reasonOf(await manager.validateCookieHeader(cookie(first.token)))).toBe("ok");
    expect(reasonOf(await manager.validateCookieHeader(cookie(second.token)))).toBe("ok");
  });

  it("throws a StoreError when every fresh id is reported taken", async () => {
    const repeated = new Uint8Array(16).fill(9);
    const random = scriptedIdRandom([repeated, repeated, repeated, repeated]);
    const { manager } = setup({ random });
    await manager.create();

    const failure = manager.create();

    await expect(failure).rejects.toBeInstanceOf(StoreError);
    await expect(failure).rejects.toMatchObject({ code: "store-reply", operation: "create" });
    await expect(manager.create()).resolves.toMatchObject({ token: expect.any(String) });
  });

  it("records the timeouts of a per-session preset", async () => {
    const { manager, clock } = setup();

    const { session } = await manager.create({ timeouts: "remember-me" });

    expect(session.idleExpiresAt).toBe(clock.now() + 7 * DAY_MS);
    expect(session.absoluteExpiresAt).toBe(clock.now() + 30 * DAY_MS);
  });

  it("records explicit per-session timeouts", async () => {
    const { manager, clock } = setup();

    const { session } = await manager.create({
      timeouts: { idleTimeoutMs: 5 * MINUTE_MS, absoluteTimeoutMs: HOUR_MS },
    });

    expect(session.idleExpiresAt).toBe(clock.now() + 5 * MINUTE_MS);
    expect(session.absoluteExpiresAt).toBe(clock.now() + HOUR_MS);
  });

  it("fills a partial per-session override from the manager's timeouts", async () => {
    const { manager, clock } = setup({ preset: "remember-me" });

    const { session } = await manager.create({ timeouts: { idleTimeoutMs: DAY_MS } });

    expect(session.idleExpiresAt).toBe(clock.now() + DAY_MS);
    expect(session.absoluteExpiresAt).toBe(clock.now() + 30 * DAY_MS);
  });

  it("records authenticatedAt for a user session and null for an anonymous one", async () => {
    const { manager, clock } = setup();

    const user = await manager.create({ userId: "u1" });
    const anonymous = await manager.create();

    expect(user.session.authenticatedAt).toBe(clock.now());
    expect(user.session.userId).toBe("u1");
    expect(anonymous.session.authenticatedAt).toBeNull();
    expect(anonymous.session.userId).toBeNull();
  });

  it("defaults to a memory store and the plain codec in createSessionManager", async () => {
    const manager = createSessionManager();

    const issued = await manager.create({ data: { n: 1 } });
    const result = await manager.validateCookieHeader(cookie(issued.token));

    expect(result.ok && result.session.data).toEqual({ n: 1 });
    expect(parseSetCookie(issued.setCookie).value).toBe(issued.token);
  });
});
