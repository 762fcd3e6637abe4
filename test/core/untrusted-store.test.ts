/**
 * The core re-checks every record a store returns (SF-04): an app's own store that answers
 * with a malformed record gets "no session" (`corrupt`), a `store.corrupt-record` event and a
 * delete, never a session and never a crash.
 */
import { describe, expect, it } from "vitest";
import type { SessionRecord } from "../../src/core/record.js";
import type { SessionStore } from "../../src/core/store.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { cookie, eventsOf, FakeClock, reasonOf, setup } from "./fixture.js";

type Spoil = (record: SessionRecord) => unknown;

const SPOILS: [string, Spoil][] = [
  ["deadlines missing", ({ idleExpiresAt, absoluteExpiresAt, ...rest }) => rest],
  ["an idle deadline that is text", (record) => ({ ...record, idleExpiresAt: "soon" })],
  ["NaN deadlines", (record) => ({ ...record, idleExpiresAt: NaN, absoluteExpiresAt: NaN })],
  ["an unknown state", (record) => ({ ...record, state: "bogus" })],
  ["a state in another case", (record) => ({ ...record, state: "Revoked" })],
  ["a numeric user id", (record) => ({ ...record, userId: 42 })],
  ["data that is a string", (record) => ({ ...record, data: "str" })],
  ["a string instead of a record", () => "a record"],
  ["a number instead of a record", () => 7],
];

/** A memory store whose get() and listByUser() answer with `spoil` applied to each record. */
function spoiling(inner: MemoryStore, spoil: Spoil): SessionStore {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === "get") {
        return async (id: string) => {
          const found = await target.get(id);
          return found === null || "corrupt" in found ? found : spoil(found);
        };
      }
      if (property === "listByUser") {
        return async (userId: string) => (await target.listByUser(userId)).map(spoil);
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("records from an untrusted store", () => {
  it.each(SPOILS)(
    "a record with %s is no session (corrupt), reported and deleted",
    async (_, spoil) => {
      const clock = new FakeClock();
      const memory = new MemoryStore({ now: clock.storeNow, sweepIntervalMs: null });
      const { manager, events } = setup({ clock, memory, store: spoiling(memory, spoil) });
      const issued = await manager.create({ userId: "user-1" });
      clock.advance(60_000);

      const result = await manager.validateCookieHeader(cookie(issued.token));

      expect(reasonOf(result)).toBe("corrupt");
      expect(eventsOf(events, "store.corrupt-record")).toHaveLength(1);
      expect(await memory.get(issued.session.id)).toBeNull();
    },
  );

  it.each(SPOILS)("listForUser leaves out a record with %s", async (_, spoil) => {
    const clock = new FakeClock();
    const memory = new MemoryStore({ now: clock.storeNow, sweepIntervalMs: null });
    const { manager } = setup({ clock, memory, store: spoiling(memory, spoil) });
    await manager.create({ userId: "user-1" });

    expect(await manager.listForUser("user-1")).toEqual([]);
  });
});
