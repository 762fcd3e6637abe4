import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import type { SessionEvent } from "../../src/core/events.js";
import type { SessionRecord } from "../../src/core/record.js";
import {
  DEFAULT_MAX_ENTRIES,
  MemoryStore,
  type MemoryStoreOptions,
} from "../../src/stores/memory.js";
import { runStoreContract } from "../contract/store-contract.js";
import { HOUR_MS, makeRecord, makeUserId } from "../support/records.js";

runStoreContract(
  "memory",
  async () => {
    const store = new MemoryStore();
    return { store, close: () => store.close() };
  },
  // The memory store keeps structured values and decodes nothing, so it holds no corrupt data.
  { corruptRecords: false },
);

/** A clock the test moves by hand. */
function fakeClock(start = Date.now()): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

/** A record due to expire `lifetimeMs` after `now`, with a cheap unique id (no hashing). */
function recordAt(base: SessionRecord, id: string, now: number, lifetimeMs: number): SessionRecord {
  return { ...base, id, createdAt: now, lastSeenAt: now, expiresAt: now + lifetimeMs };
}

describe("MemoryStore options", () => {
  it.each<[string, MemoryStoreOptions]>([
    ["store.maxEntries", { maxEntries: 0 }],
    ["store.maxEntries", { maxEntries: -1 }],
    ["store.maxEntries", { maxEntries: 1.5 }],
    ["store.maxEntries", { maxEntries: Number.NaN }],
    ["store.maxEntries", { maxEntries: Number.POSITIVE_INFINITY }],
    ["store.maxEntries", { maxEntries: "10" as unknown as number }],
    ["store.sweepIntervalMs", { sweepIntervalMs: 0 }],
    ["store.sweepIntervalMs", { sweepIntervalMs: -5 }],
    ["store.sweepIntervalMs", { sweepIntervalMs: 2 ** 31 }],
    ["store.sweepIntervalMs", { sweepIntervalMs: 2.5 }],
    ["store.now", { now: 5 as unknown as () => number }],
    ["store.onEvent", { onEvent: "log" as unknown as () => void }],
  ])("the constructor throws a ConfigError naming %s for %o", (field, options) => {
    expect(() => new MemoryStore(options)).toThrow(ConfigError);
    expect(() => new MemoryStore(options)).toThrow(expect.objectContaining({ field }));
  });

  it("the constructor accepts null for maxEntries and sweepIntervalMs", async () => {
    const store = new MemoryStore({ maxEntries: null, sweepIntervalMs: null });

    expect(await store.create(makeRecord())).toBe("created");
    expect(store.sweeping).toBe(false);
  });
});

describe("MemoryStore maxEntries", () => {
  it("evicts the record that expires first and reports store.evicted", async () => {
    const events: SessionEvent[] = [];
    const store = new MemoryStore({ maxEntries: 3, onEvent: (event) => events.push(event) });
    const now = Date.now();
    const late = makeRecord({ expiresAt: now + 3 * HOUR_MS });
    const soon = makeRecord({ expiresAt: now + HOUR_MS });
    const middle = makeRecord({ expiresAt: now + 2 * HOUR_MS });
    for (const record of [late, soon, middle]) await store.create(record);

    const newcomer = makeRecord();
    expect(await store.create(newcomer)).toBe("created");

    expect(await store.get(soon.id)).toBeNull();
    for (const record of [late, middle, newcomer])
      expect(await store.get(record.id)).not.toBeNull();
    expect(store.stats().records).toBe(3);
    expect(events).toEqual([
      {
        type: "store.evicted",
        at: expect.any(Number),
        sessionIdPrefix: soon.id.slice(0, 8),
        cause: "cap",
      },
    ]);
    await store.close();
  });

  it("drops expired records before evicting a live one, without an event", async () => {
    const clock = fakeClock();
    const events: SessionEvent[] = [];
    const store = new MemoryStore({
      maxEntries: 2,
      now: clock.now,
      onEvent: (e) => events.push(e),
    });
    const short = makeRecord({ expiresAt: clock.now() + 1_000 });
    const long = makeRecord({ expiresAt: clock.now() + 9 * HOUR_MS });
    await store.create(short);
    await store.create(long);
    clock.advance(2_000);

    await store.create(makeRecord());

    expect(events).toEqual([]);
    expect(await store.get(long.id)).not.toBeNull();
    expect(store.stats().records).toBe(2);
    await store.close();
  });

  it("keeps working when the onEvent hook throws", async () => {
    const store = new MemoryStore({
      maxEntries: 1,
      onEvent: () => {
        throw new Error("hook failed");
      },
    });
    await store.create(makeRecord());
    const second = makeRecord();

    expect(await store.create(second)).toBe("created");

    expect(await store.get(second.id)).toEqual(second);
    await store.close();
  });

  it("supersede at the cap never evicts the record being rotated", async () => {
    const events: SessionEvent[] = [];
    const store = new MemoryStore({ maxEntries: 2, onEvent: (event) => events.push(event) });
    const now = Date.now();
    const rotating = makeRecord({ expiresAt: now + 60_000 });
    const other = makeRecord({ expiresAt: now + 2 * HOUR_MS });
    await store.create(rotating);
    await store.create(other);
    const successor = makeRecord({ userId: rotating.userId });

    const outcome = await store.supersede(rotating.id, rotating.version, successor, {
      graceUntil: now + 10_000,
      expiresAt: now + 120_000,
    });

    expect(outcome.ok).toBe(true);
    expect(await store.get(rotating.id)).toMatchObject({
      state: "superseded",
      successorId: successor.id,
    });
    expect(await store.get(successor.id)).toEqual(successor);
    expect(await store.get(other.id)).toBeNull();
    expect(events.map((event) => event.type)).toEqual(["store.evicted"]);
    await store.close();
  });

  it("reports evictions after the write, so a hook that writes sees it whole", async () => {
    const now = Date.now();
    const rotating = makeRecord({ expiresAt: now + 60_000 });
    const other = makeRecord({ expiresAt: now + 2 * HOUR_MS });
    const successor = makeRecord({ userId: rotating.userId });
    const seen: (SessionRecord | null)[] = [];
    const store: MemoryStore = new MemoryStore({
      maxEntries: 2,
      onEvent: () => {
        void store.get(successor.id).then((record) => seen.push(record));
        void store.delete(rotating.id);
      },
    });
    await store.create(rotating);
    await store.create(other);

    await store.supersede(rotating.id, rotating.version, successor, {
      graceUntil: now + 10_000,
      expiresAt: now + 120_000,
    });

    expect(seen).toEqual([successor]);
    expect(await store.get(rotating.id)).toBeNull();
    expect(await store.get(successor.id)).toEqual(successor);
    expect(store.stats()).toMatchObject({ records: 1, queued: 1 });
    await store.close();
  });

  it(`defaults to ${DEFAULT_MAX_ENTRIES} records`, async () => {
    const events: SessionEvent[] = [];
    const store = new MemoryStore({
      sweepIntervalMs: null,
      onEvent: (event) => events.push(event),
    });
    const base = makeRecord({ userId: null });

    for (let index = 0; index <= DEFAULT_MAX_ENTRIES; index++) {
      await store.create({ ...base, id: `r${index}`, expiresAt: base.expiresAt + index });
    }

    expect(store.stats().records).toBe(DEFAULT_MAX_ENTRIES);
    expect(events).toHaveLength(1);
    expect(await store.get("r0")).toBeNull();
    expect(await store.get(`r${DEFAULT_MAX_ENTRIES}`)).not.toBeNull();
  });
});

describe("MemoryStore sweep", () => {
  it("drops exactly the records whose expiresAt has passed and returns the count", async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now, sweepIntervalMs: null });
    const expiring = [1_000, 2_000, 3_000].map((ms) => makeRecord({ expiresAt: clock.now() + ms }));
    const lasting = makeRecord({ expiresAt: clock.now() + HOUR_MS });
    for (const record of [...expiring, lasting]) await store.create(record);
    clock.advance(2_000);

    expect(store.sweep()).toBe(2);

    expect(store.stats().records).toBe(2);
    expect(await store.get(expiring[2]!.id)).not.toBeNull();
    expect(await store.get(lasting.id)).not.toBeNull();
    expect(store.sweep()).toBe(0);
  });

  it("removes swept records from the per-user index", async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now, sweepIntervalMs: null });
    const userId = makeUserId();
    await store.create(makeRecord({ userId, expiresAt: clock.now() + 1_000 }));
    await store.create(makeRecord({ userId, expiresAt: clock.now() + 1_000 }));
    expect(store.stats().users).toBe(1);
    clock.advance(1_000);

    store.sweep();

    expect(store.stats()).toMatchObject({ records: 0, users: 0 });
    expect(await store.listByUser(userId)).toEqual([]);
  });

  it("uses a renewed deadline, not the one the record was created with", async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now, sweepIntervalMs: null });
    const record = makeRecord({ expiresAt: clock.now() + 1_000 });
    await store.create(record);
    const lastSeenAt = clock.now() + 500;
    await store.touch(record.id, {
      lastSeenAt,
      idleExpiresAt: lastSeenAt + HOUR_MS,
      expiresAt: lastSeenAt + HOUR_MS,
    });
    clock.advance(5_000);

    expect(store.sweep()).toBe(0);
    expect(await store.get(record.id)).toMatchObject({ lastSeenAt });
  });

  it("get drops an expired record as it reads it", async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now, sweepIntervalMs: null });
    const record = makeRecord({ expiresAt: clock.now() + 1_000 });
    await store.create(record);
    clock.advance(1_000);

    expect(await store.get(record.id)).toBeNull();

    expect(store.stats().records).toBe(0);
  });

  it("never stores a record with a NaN expiresAt, so the sweep cannot stall", async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now, sweepIntervalMs: null });
    const broken = makeRecord({ expiresAt: Number.NaN });
    const expiring = makeRecord({ expiresAt: clock.now() + 1_000 });

    await store.create(broken);
    await store.create(expiring);
    clock.advance(1_000);

    expect(await store.get(broken.id)).toBeNull();
    expect(store.sweep()).toBe(1);
    expect(store.stats().records).toBe(0);
  });

  it("keeps live entries bounded over 10^5 create/expire cycles (RES-05)", async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now, sweepIntervalMs: null, maxEntries: null });
    const base = makeRecord();
    const lifetimeMs = 1_000;
    const sweepEveryMs = 100;
    let peak = { records: 0, users: 0, queued: 0 };

    for (let cycle = 0; cycle < 100_000; cycle++) {
      clock.advance(1);
      const record = recordAt(base, `c${cycle}`, clock.now(), lifetimeMs);
      await store.create({ ...record, userId: `u${cycle}` });
      if (cycle % sweepEveryMs === 0) store.sweep();
      const stats = store.stats();
      peak = {
        records: Math.max(peak.records, stats.records),
        users: Math.max(peak.users, stats.users),
        queued: Math.max(peak.queued, stats.queued),
      };
    }

    // Live sessions (one per millisecond for lifetimeMs) plus one sweep interval's worth.
    const bound = lifetimeMs + sweepEveryMs;
    expect(peak.records).toBeLessThanOrEqual(bound);
    expect(peak.users).toBeLessThanOrEqual(bound);
    expect(peak.queued).toBeLessThanOrEqual(2 * bound + 1024);
  });

  it("keeps the expiry queue bounded under 10^5 renewals of a few records", async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now, sweepIntervalMs: null });
    const records = Array.from({ length: 10 }, () => makeRecord());
    for (const record of records) await store.create(record);
    let peakQueued = 0;

    for (let round = 1; round <= 100_000; round++) {
      clock.advance(1);
      const lastSeenAt = clock.now();
      const record = records[round % records.length]!;
      const touch = {
        lastSeenAt,
        idleExpiresAt: lastSeenAt + HOUR_MS,
        expiresAt: lastSeenAt + HOUR_MS,
      };
      expect(await store.touch(record.id, touch)).toBe(true);
      peakQueued = Math.max(peakQueued, store.stats().queued);
    }

    expect(store.stats().records).toBe(10);
    expect(peakQueued).toBeLessThanOrEqual(2 * 10 + 1024 + 1);
  });
});

describe("MemoryStore timer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts no timer before the first write", async () => {
    const store = new MemoryStore();
    expect(store.sweeping).toBe(false);

    await store.create(makeRecord());

    expect(store.sweeping).toBe(true);
    await store.close();
  });

  it("does not keep the process alive (the timer is unref'd)", async () => {
    const refTimers = () => process.getActiveResourcesInfo().filter((name) => name === "Timeout");
    const before = refTimers().length;
    const store = new MemoryStore({ sweepIntervalMs: 1_000 });

    await store.create(makeRecord());

    expect(store.sweeping).toBe(true);
    expect(refTimers()).toHaveLength(before);
    await store.close();
  });

  it("sweeps every sweepIntervalMs", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now, sweepIntervalMs: 60_000 });
    await store.create(makeRecord({ expiresAt: clock.now() + 30_000 }));
    clock.advance(30_000);

    vi.advanceTimersByTime(59_999);
    expect(store.stats().records).toBe(1);
    vi.advanceTimersByTime(1);

    expect(store.stats().records).toBe(0);
    await store.close();
  });

  it("close stops the timer and later writes do not restart it", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now, sweepIntervalMs: 1_000 });
    await store.create(makeRecord());
    expect(vi.getTimerCount()).toBe(1);

    await store.close();
    await store.create(makeRecord({ expiresAt: clock.now() + 500 }));
    clock.advance(1_000);
    vi.advanceTimersByTime(5_000);

    expect(vi.getTimerCount()).toBe(0);
    expect(store.sweeping).toBe(false);
    expect(store.stats().records).toBe(2);
    expect(store.sweep()).toBe(1);
  });
});

describe("MemoryStore touch", () => {
  it("returns true for a renewal older than the stored one and changes nothing", async () => {
    const store = new MemoryStore();
    const record = makeRecord();
    await store.create(record);
    const stale = record.lastSeenAt - 1_000;

    const touched = await store.touch(record.id, {
      lastSeenAt: stale,
      idleExpiresAt: stale + HOUR_MS,
      expiresAt: stale + HOUR_MS,
    });

    expect(touched).toBe(true);
    expect(await store.get(record.id)).toEqual(record);
    await store.close();
  });
});

describe("MemoryStore copies", () => {
  it("get returns a new object on every call", async () => {
    const store = new MemoryStore();
    const record = makeRecord();
    await store.create(record);

    const first = await store.get(record.id);
    const second = await store.get(record.id);

    expect(first).toEqual(second);
    expect(first).not.toBe(second);
    expect((first as SessionRecord).data).not.toBe((second as SessionRecord).data);
    expect((first as SessionRecord).client).not.toBe((second as SessionRecord).client);
    await store.close();
  });
});

describe("MemoryStore storage layout", () => {
  it("gives back every field as stored, for each nullable and flag combination", async () => {
    const store = new MemoryStore({ sweepIntervalMs: null });
    const now = Date.now();
    const records = [
      makeRecord({ authenticatedAt: null, client: null, userId: null, persistent: true }),
      makeRecord({ state: "superseded", successorId: "s".repeat(22), graceUntil: now + 5 }),
      makeRecord({ state: "revoked", data: {}, graceUntil: now + 7 }),
      makeRecord({ successorId: "t".repeat(22), version: 2 ** 40, idleTimeoutMs: 1 }),
      makeRecord({ client: { ip: null, userAgent: null }, createdAt: -0, lastSeenAt: 0.5 }),
    ];

    for (const record of records) await store.create(record);

    for (const record of records) expect(await store.get(record.id)).toEqual(record);
    expect(Object.is((await store.get(records[4]!.id))?.createdAt, -0)).toBe(true);
  });

  it("a record created in a freed slot shows nothing of the record that held it", async () => {
    const store = new MemoryStore({ sweepIntervalMs: null });
    const now = Date.now();
    const first = makeRecord({
      successorId: "s".repeat(22),
      graceUntil: now + 5,
      persistent: true,
    });
    await store.create(first);
    await store.delete(first.id);

    const second = makeRecord({ userId: null, client: null, authenticatedAt: null, data: {} });
    await store.create(second);

    expect(await store.get(first.id)).toBeNull();
    expect(await store.get(second.id)).toEqual(second);
    expect(store.stats()).toEqual({ records: 1, users: 0, queued: 1 });
  });

  it("evicts by the current deadline after renewals moved the deadlines", async () => {
    const clock = fakeClock();
    const events: SessionEvent[] = [];
    const store = new MemoryStore({
      now: clock.now,
      maxEntries: 4,
      sweepIntervalMs: null,
      onEvent: (event) => events.push(event),
    });
    const base = makeRecord();
    const ids = ["a", "b", "c", "d"];
    // Created soonest first; renewals then reverse the order, so "d" expires first.
    for (const [index, id] of ids.entries()) {
      await store.create(recordAt(base, id, clock.now(), (index + 1) * HOUR_MS));
    }
    for (const [index, id] of ids.entries()) {
      const expiresAt = clock.now() + (10 - index) * HOUR_MS;
      await store.touch(id, { lastSeenAt: clock.now(), idleExpiresAt: expiresAt, expiresAt });
    }

    await store.create(recordAt(base, "e", clock.now(), HOUR_MS));

    expect(await store.get("d")).toBeNull();
    expect(events.map((event) => event.type === "store.evicted" && event.sessionIdPrefix)).toEqual([
      "d",
    ]);
    for (const id of ["a", "b", "c", "e"]) expect(await store.get(id)).not.toBeNull();
  });

  it("sweep agrees with a plain map of deadlines over 5 000 random operations", async () => {
    const clock = fakeClock(1_000_000);
    const store = new MemoryStore({ now: clock.now, sweepIntervalMs: null, maxEntries: null });
    const base = makeRecord();
    const model = new Map<string, number>();
    let seed = 42;
    const random = (limit: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % limit;
    };

    for (let step = 0; step < 5_000; step++) {
      const id = `r${random(300)}`;
      const action = random(5);
      const expiresAt = clock.now() + 1 + random(2_000);
      if (action <= 1 && !model.has(id)) {
        await store.create({ ...recordAt(base, id, clock.now(), 0), expiresAt });
        model.set(id, expiresAt);
      } else if (action === 2 && model.has(id)) {
        const lastSeenAt = clock.now();
        await store.touch(id, { lastSeenAt, idleExpiresAt: expiresAt, expiresAt });
        model.set(id, expiresAt);
      } else if (action === 3) {
        await store.delete(id);
        model.delete(id);
      } else {
        clock.advance(random(50));
        const due = [...model].filter(([, time]) => time <= clock.now()).map(([key]) => key);
        for (const key of due) model.delete(key);
        expect(store.sweep()).toBe(due.length);
      }
    }

    expect(store.stats()).toEqual({
      records: model.size,
      users: model.size > 0 ? 1 : 0,
      queued: model.size,
    });
    for (const [id, expiresAt] of model) expect((await store.get(id))?.expiresAt).toBe(expiresAt);
  });
});
