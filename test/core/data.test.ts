import { afterEach, describe, expect, it } from "vitest";
import {
  SessionConflictError,
  SessionDataTooLargeError,
  SessionRevokedError,
} from "../../src/core/errors.js";
import type { SessionData } from "../../src/core/record.js";
import { cookie, setup } from "./fixture.js";

const POLLUTION_KEYS = ["polluted", "isAdmin"];

afterEach(() => {
  for (const key of POLLUTION_KEYS) expect(Object.hasOwn(Object.prototype, key)).toBe(false);
});

describe("update", () => {
  it("keeps every key of 20 parallel updates with different keys (CON-01 merge path)", async () => {
    const { manager, raw } = setup();
    const { session } = await manager.create({ data: { base: true } });

    await Promise.all(
      Array.from({ length: 20 }, (_, i) => manager.update(session, { set: { [`k${i}`]: i } })),
    );
    const stored = await raw(session.id);

    expect(Object.keys(stored?.data ?? {})).toHaveLength(21);
    for (let i = 0; i < 20; i++) expect(stored?.data[`k${i}`]).toBe(i);
    expect(stored?.version).toBe(21);
  });

  it("deletes keys and returns the new view and version", async () => {
    const { manager, raw } = setup();
    const { session } = await manager.create({ data: { a: 1, b: 2 } });

    const updated = await manager.update(session, { set: { c: 3 }, delete: ["a"] });

    expect(updated.data).toEqual({ b: 2, c: 3 });
    expect(updated.version).toBe(2);
    expect((await raw(session.id))?.data).toEqual({ b: 2, c: 3 });
  });

  it("throws SessionDataTooLargeError over maxDataBytes, record unchanged (RES-03)", async () => {
    const { manager, raw, store } = setup({ maxDataBytes: 1024 });
    const { session } = await manager.create({ data: { keep: "me" } });
    const before = await raw(session.id);
    store.resetCounts();

    const save = manager.update(session, { set: { blob: "x".repeat(2_000) } });

    await expect(save).rejects.toBeInstanceOf(SessionDataTooLargeError);
    expect(await raw(session.id)).toEqual(before);
    expect(store.count("writeData")).toBe(0);
  });

  it("throws SessionDataTooLargeError at create over maxDataBytes, storing nothing", async () => {
    const { manager, memory } = setup({ maxDataBytes: 1024 });

    await expect(manager.create({ data: { blob: "x".repeat(2_000) } })).rejects.toBeInstanceOf(
      SessionDataTooLargeError,
    );
    expect(memory.stats().records).toBe(0);
  });

  it("keeps __proto__ and constructor as ordinary data keys (R55)", async () => {
    const { manager } = setup();
    const { session, token } = await manager.create();
    const hostile = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"isAdmin": true}}}',
    ) as SessionData;

    await manager.update(session, { set: hostile });
    const result = await manager.validateCookieHeader(cookie(token));
    const data = result.ok ? result.session.data : {};

    expect(Object.hasOwn(data, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(data, "__proto__")?.value).toEqual({ polluted: true });
    expect(Object.hasOwn(data, "constructor")).toBe(true);
  });

  it("keeps __proto__ as a data key given at create (R55)", async () => {
    const { manager, raw } = setup();
    const hostile = JSON.parse('{"__proto__": {"isAdmin": true}, "a": 1}') as SessionData;

    const { session } = await manager.create({ data: hostile });
    const stored = await raw(session.id);

    expect(Object.hasOwn(stored?.data ?? {}, "__proto__")).toBe(true);
    expect(Object.hasOwn(session.data, "__proto__")).toBe(true);
    expect((session.data as { isAdmin?: unknown }).isAdmin).toBeUndefined();
  });

  it("throws SessionRevokedError for a session that no longer exists", async () => {
    const { manager, memory } = setup();
    const { session } = await manager.create();
    await memory.delete(session.id);

    await expect(manager.update(session, { set: { a: 1 } })).rejects.toBeInstanceOf(
      SessionRevokedError,
    );
    expect(memory.stats().records).toBe(0);
  });
});

describe("replaceData", () => {
  it("throws SessionConflictError for a stale version and never loses cart (CON-01)", async () => {
    const { manager, raw } = setup();
    const { session } = await manager.create({ data: {} });

    await manager.replaceData(session, { cart: ["book"] });
    const stale = manager.replaceData(session, { theme: "dark" });

    await expect(stale).rejects.toBeInstanceOf(SessionConflictError);
    expect((await raw(session.id))?.data).toEqual({ cart: ["book"] });
  });

  it("replaces the whole data at the current version", async () => {
    const { manager, raw } = setup();
    const { session } = await manager.create({ data: { a: 1 } });

    const replaced = await manager.replaceData(session, { b: 2 });

    expect(replaced.data).toEqual({ b: 2 });
    expect(replaced.version).toBe(2);
    expect((await raw(session.id))?.data).toEqual({ b: 2 });
  });

  it("throws SessionRevokedError after revoke", async () => {
    const { manager } = setup();
    const { session } = await manager.create({ data: { a: 1 } });
    await manager.revoke(session);

    await expect(manager.replaceData(session, { b: 2 })).rejects.toBeInstanceOf(
      SessionRevokedError,
    );
  });
});
