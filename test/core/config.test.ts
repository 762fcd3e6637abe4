import { describe, expect, it } from "vitest";
import {
  ConfigError,
  CookieSerializeError,
  createSessionManager,
  HeadersSentError,
  isLatchkeyError,
  LatchkeyError,
  SessionConflictError,
  SessionDataTooLargeError,
  SessionRevokedError,
  SignedCodec,
  StoreError,
  TIMEOUT_PRESETS,
} from "../../src/index.js";
import type { CreateSessionManagerOptions } from "../../src/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { DAY_MS, HOUR_MS, MINUTE_MS, setup } from "./fixture.js";

function configErrorOf(options: CreateSessionManagerOptions): ConfigError {
  try {
    createSessionManager(options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("createSessionManager (CFG-03)", () => {
  it.each([
    ["idleTimeoutMs", Infinity],
    ["idleTimeoutMs", NaN],
    ["idleTimeoutMs", -1],
    ["idleTimeoutMs", 1.5],
    ["idleTimeoutMs", 0],
    ["idleTimeoutMs", "600000"],
    ["absoluteTimeoutMs", Infinity],
    ["absoluteTimeoutMs", NaN],
    ["absoluteTimeoutMs", -1],
    ["absoluteTimeoutMs", 1.5],
    ["absoluteTimeoutMs", 0],
    ["absoluteTimeoutMs", 401 * DAY_MS],
  ])("throws ConfigError(%s) for %s", (field, value) => {
    const error = configErrorOf({ [field]: value } as CreateSessionManagerOptions);

    expect(error.field).toBe(field);
    expect(error.code).toBe("config");
  });

  it("throws ConfigError(idleTimeoutMs) when idle is longer than absolute", () => {
    const error = configErrorOf({ idleTimeoutMs: 2 * HOUR_MS, absoluteTimeoutMs: HOUR_MS });

    expect(error.field).toBe("idleTimeoutMs");
  });

  it("throws ConfigError(preset) for an unknown preset", () => {
    const error = configErrorOf({ preset: "forever" as "standard" });

    expect(error.field).toBe("preset");
  });

  it("accepts an absolute timeout of exactly 400 days", () => {
    expect(() => createSessionManager({ absoluteTimeoutMs: 400 * DAY_MS })).not.toThrow();
  });

  it.each([
    ["rotationGraceMs", 60_001],
    ["rotationGraceMs", -1],
    ["renewalIntervalMs", 0],
    ["renewalIntervalMs", 31 * MINUTE_MS],
    ["storeTimeoutMs", 0],
    ["maxDataBytes", 0],
    ["maxSessionsPerUser", 0],
    ["persistentCookie", "yes"],
    ["now", 42],
    ["random", {}],
    ["onEvent", "log"],
    ["idleTimeoutMs", null],
    ["absoluteTimeoutMs", null],
    ["renewalIntervalMs", null],
    ["rotationGraceMs", null],
    ["revokedRetentionMs", null],
    ["storeTimeoutMs", null],
    ["binding", []],
    ["binding", null],
    ["binding", "userAgent"],
  ])("throws ConfigError(%s) for %j", (field, value) => {
    const error = configErrorOf({ [field]: value } as CreateSessionManagerOptions);

    expect(error.field).toBe(field);
  });

  it.each([null, "standard", 42])("throws ConfigError(options) for options %j", (options) => {
    const build = () => createSessionManager(options as unknown as CreateSessionManagerOptions);

    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^options: must be an object$/);
  });

  it("throws ConfigError(cookie.maxSetCookieBytes) for a limit the cookie cannot fit in", () => {
    const name = `__Host-${"n".repeat(200)}`;
    const error = configErrorOf({ cookie: { name, maxSetCookieBytes: 256 } });

    expect(error.field).toBe("cookie.maxSetCookieBytes");
    expect(error.message).toMatch(/is too small for a session cookie/);
    expect(() => createSessionManager({ cookie: { name, maxSetCookieBytes: 512 } })).not.toThrow();
  });

  it("throws ConfigError(codec) for a codec that throws or encodes outside cookie-octets", () => {
    const throwing = {
      encode: () => {
        throw new Error("keys not loaded");
      },
      decode: () => ({ ok: false, reason: "malformed" }),
    } as unknown as SignedCodec;
    const spacey = {
      encode: (token: string) => `${token} x`,
      decode: () => ({ ok: false, reason: "malformed" }),
    } as unknown as SignedCodec;

    expect(configErrorOf({ codec: throwing })).toMatchObject({ field: "codec" });
    expect(configErrorOf({ codec: throwing }).message).toMatch(/keys not loaded/);
    expect(configErrorOf({ codec: spacey })).toMatchObject({ field: "codec" });
  });

  it.each([
    [{ idleTimeout: 60_000 }, "idleTimeout", "idleTimeoutMs"],
    [{ prest: "high" }, "prest", "preset"],
    [{ maxSessionPerUser: 1 }, "maxSessionPerUser", "maxSessionsPerUser"],
    [{ cookie: { samesite: "strict" } }, "cookie.samesite", "sameSite"],
    [{ cookie: { Name: "__Host-x" } }, "cookie.Name", "name"],
    [{ binding: { useragent: true } }, "binding.useragent", "userAgent"],
    [{ binding: { ipPrefix: { v4: 24, v6: 64, v8: 1 } } }, "binding.ipPrefix.v8", null],
    [{ sessionSecret: "x" }, "sessionSecret", null],
  ])("throws ConfigError for the misspelt or unknown option %j", (options, field, hint) => {
    const error = configErrorOf(options as unknown as CreateSessionManagerOptions);

    expect(error.field).toBe(field);
    expect(error.message).toMatch(/is not an option/);
    if (hint !== null) expect(error.message).toContain(`did you mean ${hint}?`);
  });

  it("throws ConfigError for a misspelt per-session timeout at create", async () => {
    const { manager } = setup();
    const timeouts = { idleTimeout: 1_000 } as unknown as { idleTimeoutMs: number };

    await expect(manager.create({ timeouts })).rejects.toMatchObject({
      name: "ConfigError",
      field: "create.timeouts.idleTimeout",
    });
  });

  it("throws ConfigError(store) for a store missing a method", () => {
    const store = new MemoryStore({ sweepIntervalMs: null });
    const partial = { ...store, get: store.get.bind(store) } as unknown as MemoryStore;

    expect(configErrorOf({ store: partial }).field).toBe("store");
  });

  it("throws ConfigError(codec) for a codec without decode", () => {
    const codec = { encode: (token: string) => token } as unknown as SignedCodec;

    expect(configErrorOf({ codec }).field).toBe("codec");
  });

  it("throws ConfigError(codec) for a SignedCodec bound to another cookie name", () => {
    const codec = new SignedCodec({ keys: ["k".repeat(32)], cookieName: "other" });

    expect(configErrorOf({ codec }).field).toBe("codec");
  });

  it("accepts a SignedCodec bound to the manager's cookie name", () => {
    const codec = new SignedCodec({ keys: ["k".repeat(32)], cookieName: "__Host-sid" });

    expect(() => createSessionManager({ codec })).not.toThrow();
  });

  it("throws ConfigError(binding.*) for bad binding options", () => {
    const onMismatch = configErrorOf({ binding: { onMismatch: "log" as "reject" } });
    const v4 = configErrorOf({ binding: { ipPrefix: { v4: 33, v6: 64 } } });
    const v6 = configErrorOf({ binding: { ipPrefix: { v4: 24, v6: 0 } } });

    expect(onMismatch.field).toBe("binding.onMismatch");
    expect(v4.field).toBe("binding.ipPrefix.v4");
    expect(v6.field).toBe("binding.ipPrefix.v6");
  });
});

describe("TIMEOUT_PRESETS", () => {
  it("holds standard 30 min/12 h, high 15 min/12 h and remember-me 7 d/30 d", () => {
    expect(TIMEOUT_PRESETS).toEqual({
      standard: { idleTimeoutMs: 30 * MINUTE_MS, absoluteTimeoutMs: 12 * HOUR_MS },
      high: { idleTimeoutMs: 15 * MINUTE_MS, absoluteTimeoutMs: 12 * HOUR_MS },
      "remember-me": { idleTimeoutMs: 7 * DAY_MS, absoluteTimeoutMs: 30 * DAY_MS },
    });
  });

  it.each([
    ["standard", 30 * MINUTE_MS, 12 * HOUR_MS],
    ["high", 15 * MINUTE_MS, 12 * HOUR_MS],
    ["remember-me", 7 * DAY_MS, 30 * DAY_MS],
  ] as const)("gives %s sessions their deadlines", async (preset, idle, absolute) => {
    const { manager, clock } = setup({ preset });

    const { session } = await manager.create();

    expect(session.idleExpiresAt - clock.now()).toBe(idle);
    expect(session.absoluteExpiresAt - clock.now()).toBe(absolute);
  });

  it("lets explicit options override a preset's values", async () => {
    const { manager, clock } = setup({ preset: "high", idleTimeoutMs: 5 * MINUTE_MS });

    const { session } = await manager.create();

    expect(session.idleExpiresAt - clock.now()).toBe(5 * MINUTE_MS);
    expect(session.absoluteExpiresAt - clock.now()).toBe(12 * HOUR_MS);
  });
});

describe("create (per-session timeouts)", () => {
  it("throws ConfigError(create.timeouts.*) for a bad per-session override", async () => {
    const { manager } = setup();

    await expect(manager.create({ timeouts: "forever" as "high" })).rejects.toMatchObject({
      field: "create.timeouts.preset",
    });
    await expect(manager.create({ timeouts: { idleTimeoutMs: -1 } })).rejects.toMatchObject({
      field: "create.timeouts.idleTimeoutMs",
    });
  });

  it(
    "refuses a persistent cookie lifetime over 400 days, " +
      "for the manager and per session, storing nothing (CFG-07)",
    async () => {
      const manager = configErrorOf({ persistentCookie: true, absoluteTimeoutMs: 401 * DAY_MS });
      const { manager: standard, store } = setup({ persistentCookie: true });

      const perSession = standard.create({ timeouts: { absoluteTimeoutMs: 401 * DAY_MS } });

      expect(manager.field).toBe("absoluteTimeoutMs");
      await expect(perSession).rejects.toBeInstanceOf(ConfigError);
      await expect(perSession).rejects.toMatchObject({
        field: "create.timeouts.absoluteTimeoutMs",
      });
      expect(store.count("create")).toBe(0);
    },
  );

  it("throws ConfigError(rotate.graceMs) for a grace over 60 s", async () => {
    const { manager } = setup();
    const { session } = await manager.create();

    await expect(manager.rotate(session, { graceMs: 60_001 })).rejects.toMatchObject({
      field: "rotate.graceMs",
    });
  });
});

describe("isLatchkeyError", () => {
  it("is true for every latchkey error class and false for others", () => {
    const errors = [
      new LatchkeyError("config", "x"),
      new ConfigError("field", "x"),
      new StoreError("store-timeout", "get", "x"),
      new SessionConflictError(),
      new SessionRevokedError(),
      new SessionDataTooLargeError(2, 1),
      new CookieSerializeError("x"),
      new HeadersSentError("login"),
    ];

    for (const error of errors) expect(isLatchkeyError(error)).toBe(true);
    for (const other of [new Error("x"), null, undefined, "config", { code: "config" }]) {
      expect(isLatchkeyError(other)).toBe(false);
    }
  });
});

describe("createSessionManager (defaults that follow other options)", () => {
  it("caps the default revokedRetentionMs at a short absolute timeout", async () => {
    let now = Date.now();
    const manager = createSessionManager({
      idleTimeoutMs: 10 * MINUTE_MS,
      absoluteTimeoutMs: 10 * MINUTE_MS,
      now: () => now,
    });
    const { token, session } = await manager.create({ userId: "user-1" });

    await manager.revoke(session);
    now += MINUTE_MS;

    const result = await manager.validateCookieHeader(`${manager.cookieName}=${token}`);
    expect(result.ok ? "ok" : result.reason).toBe("revoked");
  });

  it("still refuses an explicit revokedRetentionMs over the absolute timeout", () => {
    const error = configErrorOf({
      absoluteTimeoutMs: 10 * MINUTE_MS,
      idleTimeoutMs: 10 * MINUTE_MS,
      revokedRetentionMs: HOUR_MS,
    });

    expect(error.field).toBe("revokedRetentionMs");
  });

  it("gives the default memory store the manager's clock", async () => {
    // Forty minutes behind real time: past the idle timeout on the real clock.
    let now = Date.now() - 40 * MINUTE_MS;
    const manager = createSessionManager({ now: () => now });
    const { token } = await manager.create({ userId: "user-1" });
    now += MINUTE_MS;

    const result = await manager.validateCookieHeader(`${manager.cookieName}=${token}`);
    expect(result.ok && result.session.userId).toBe("user-1");
  });
});
