import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordTouch } from "../../../src/core/record.js";
import { createSessionManager } from "../../../src/index.js";
import { makeRecord } from "../../support/records.js";
import { startRedisServer, type RedisServer } from "../../support/redis-server.js";
import { waitFor } from "../../support/services.js";
import { openStore, type Library, type StoreHarness } from "./clients.js";

// What each operation sends over the network, on a private server that nothing else uses:
// MONITOR shows every command a connection sends (commands run inside a script show as "lua"
// and are not round trips), and INFO commandstats counts what the server ran.
const LIBRARIES: Library[] = ["ioredis", "node-redis"];

let server: RedisServer;
let monitor: Redis;
const seen: { args: string[]; source: string }[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  monitor = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  await monitor.connect();
  const feed = await monitor.monitor();
  feed.on("monitor", (_time: string, args: string[], source: string) => {
    seen.push({ args: args.map(String), source });
  });
});

afterAll(async () => {
  monitor.disconnect();
  await server.stop();
});

async function commandCounts(admin: StoreHarness["admin"]): Promise<Map<string, number>> {
  const info = String(await admin.command(["INFO", "commandstats"]));
  const counts = new Map<string, number>();

  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    counts.set(match[1]!, Number(match[2]));
  }
  return counts;
}

describe.each(LIBRARIES)("RedisStore round trips (%s)", (library) => {
  let harness: StoreHarness;

  beforeAll(async () => {
    harness = await openStore(library, { kind: "server", host: server.host, port: server.port });
  });

  afterAll(async () => {
    await harness.close();
  });

  /** The commands the store's own connection sent while `operation` ran, lower-cased. */
  async function sentDuring(operation: () => Promise<unknown>): Promise<string[]> {
    const marker = `mark-${Math.random().toString(36).slice(2)}`;
    const isMark = (entry: { args: string[] }, end: string): boolean =>
      entry.args[0]?.toLowerCase() === "echo" && entry.args[1] === `${marker}-${end}`;

    await harness.client.command(["ECHO", `${marker}-begin`]);
    await operation();
    await harness.client.command(["ECHO", `${marker}-end`]);
    await waitFor("MONITOR to show the end marker", () => seen.some((e) => isMark(e, "end")));

    const begin = seen.findIndex((entry) => isMark(entry, "begin"));
    const end = seen.findIndex((entry) => isMark(entry, "end"));
    const source = seen[begin]!.source;
    return seen
      .slice(begin + 1, end)
      .filter((entry) => entry.source === source)
      .map((entry) => entry.args[0]!.toLowerCase());
  }

  /** Runs every store operation once on fresh records, recording what each one sent. */
  async function everyOperation(): Promise<Record<string, string[]>> {
    const { store } = harness;
    const userId = `user-${Math.random().toString(36).slice(2)}`;
    const record = makeRecord({ userId });
    const successor = makeRecord({ userId });
    const now = Date.now();
    const touch = { lastSeenAt: now + 1, idleExpiresAt: now + 60_000, expiresAt: now + 60_000 };
    const rotation = { graceUntil: now + 5_000, expiresAt: now + 60_000 };

    return {
      create: await sentDuring(() => store.create(record)),
      get: await sentDuring(() => store.get(record.id)),
      touch: await sentDuring(() => store.touch(record.id, touch)),
      writeData: await sentDuring(() =>
        store.writeData(record.id, { kind: "patch", set: { a: 1 }, delete: [] }, null),
      ),
      supersede: await sentDuring(() => store.supersede(record.id, 2, successor, rotation)),
      listByUser: await sentDuring(() => store.listByUser(userId)),
      markRevoked: await sentDuring(() => store.markRevoked(successor.id, now + 60_000)),
      markRevokedByUser: await sentDuring(() => store.markRevokedByUser(userId, now, null)),
      delete: await sentDuring(() => store.delete(record.id)),
    };
  }

  it("sends one HGETALL per get and one EVALSHA per write once scripts are loaded", async () => {
    // The first run loads each script (EVALSHA, then EVAL); the steady state is measured after.
    await everyOperation();

    const sent = await everyOperation();

    expect(sent).toEqual({
      create: ["evalsha"],
      get: ["hgetall"],
      touch: ["evalsha"],
      writeData: ["evalsha"],
      supersede: ["evalsha"],
      listByUser: ["evalsha"],
      markRevoked: ["evalsha"],
      markRevokedByUser: ["evalsha"],
      delete: ["evalsha"],
    });
  });

  it("costs a validate one HGETALL, and a validate due for renewal one EVALSHA more", async () => {
    const { store, admin } = harness;
    let time = Date.now();
    const sessions = createSessionManager({ store, renewalIntervalMs: 60_000, now: () => time });
    const { token } = await sessions.create({ userId: "user-validate" });
    const header = `${sessions.cookieName}=${token}`;

    const before = await commandCounts(admin);
    const quiet = await sentDuring(() => sessions.validateCookieHeader(header));
    const after = await commandCounts(admin);
    time += 61_000;
    const renewing = await sentDuring(() => sessions.validateCookieHeader(header));

    expect(quiet).toEqual(["hgetall"]);
    expect(renewing).toEqual(["hgetall", "evalsha"]);
    // The server ran one HGETALL and no write for the quiet validate (besides INFO and ECHO).
    const ran = [...after].filter(([name, calls]) => calls !== (before.get(name) ?? 0));
    expect(Object.fromEntries(ran.filter(([name]) => name !== "info" && name !== "echo"))).toEqual({
      hgetall: (before.get("hgetall") ?? 0) + 1,
    });
  });

  it("loads a script with one EVAL after SCRIPT FLUSH, then is back to EVALSHA", async () => {
    const { store, admin } = harness;
    const record = makeRecord();
    await admin.command(["SCRIPT", "FLUSH"]);

    const first = await sentDuring(() => store.create(record));
    const second = await sentDuring(() => store.create(makeRecord()));

    expect(first).toEqual(["evalsha", "eval"]);
    expect(second).toEqual(["evalsha"]);
  });

  it("writes one renewal of 200 racing touches computed from the same lastSeenAt", async () => {
    const { store, admin } = harness;
    const record = makeRecord();
    await store.create(record);
    const now = Date.now();
    const before = (await commandCounts(admin)).get("hset") ?? 0;

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        // Each renewal is at least an interval after the lastSeenAt it was computed from.
        const lastSeenAt = now + 1_000 + i;
        const touch = {
          lastSeenAt,
          idleExpiresAt: lastSeenAt + 60_000,
          expiresAt: lastSeenAt + 60_000,
        };
        // previousLastSeenAt: the value each racing validate read (an optional touch field).
        const racing: RecordTouch = { ...touch, previousLastSeenAt: record.lastSeenAt };
        return store.touch(record.id, racing);
      }),
    );

    expect(results.every((touched) => touched)).toBe(true);
    expect(((await commandCounts(admin)).get("hset") ?? 0) - before).toBe(1);
    const stored = await store.get(record.id);
    expect(stored).toMatchObject({ state: "active", version: record.version });
  });

  it("writes one renewal for 200 parallel validates that are all due for it", async () => {
    const { store, admin } = harness;
    let time = Date.now();
    const sessions = createSessionManager({ store, renewalIntervalMs: 60_000, now: () => time });
    const { token } = await sessions.create({ userId: "user-racing" });
    const header = `${sessions.cookieName}=${token}`;
    time += 61_000;
    const before = (await commandCounts(admin)).get("hset") ?? 0;

    const results = await Promise.all(
      Array.from({ length: 200 }, () => sessions.validateCookieHeader(header)),
    );

    expect(results.every((result) => result.ok)).toBe(true);
    expect(((await commandCounts(admin)).get("hset") ?? 0) - before).toBe(1);
  });
});
