import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { isLatchkeyError, StoreError } from "../../../src/core/errors.js";
import { createSessionManager } from "../../../src/index.js";
import { RedisStore } from "../../../src/stores/redis/index.js";
import { makeRecord } from "../../support/records.js";
import { freePort } from "../../support/ports.js";
import { startRedisServer, type RedisServer } from "../../support/redis-server.js";
import { waitFor } from "../../support/services.js";
import { openStore, type Library, type StoreHarness } from "./clients.js";

// Faults on private redis-server processes that each test starts on its own port: stopped,
// frozen, unreachable, out of memory, script cache flushed. The servers write an fsync'd AOF, so
// a restart keeps what was committed and a test can check that a failed write changed nothing.
const COMMAND_TIMEOUT_MS = 400;
// Generous: "within the timeout" means the call settles instead of hanging, not a speed goal.
const SETTLE_BOUND_MS = COMMAND_TIMEOUT_MS + 3_000;
const LIBRARIES: Library[] = ["ioredis", "node-redis"];

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function durableServer(): Promise<RedisServer> {
  const server = await startRedisServer({
    args: ["--appendonly", "yes", "--appendfsync", "always"],
  });
  cleanups.push(() => server.stop());
  return server;
}

async function storeOn(server: RedisServer, library: Library): Promise<StoreHarness> {
  const harness = await openStore(
    library,
    { kind: "server", host: server.host, port: server.port },
    { commandTimeoutMs: COMMAND_TIMEOUT_MS },
  );
  cleanups.push(() => harness.client.close().catch(() => undefined));
  cleanups.push(() => harness.admin.close().catch(() => undefined));
  return harness;
}

function managerOver(store: RedisStore): ReturnType<typeof createSessionManager> {
  return createSessionManager({ store, storeTimeoutMs: 5_000, renewalIntervalMs: 1 });
}

/** Resolves with how `call` settled, or "hung" when it did not within the bound. */
async function settle(call: Promise<unknown>): Promise<StoreError | "resolved" | "hung"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((resolve) => {
    timer = setTimeout(() => resolve("hung"), SETTLE_BOUND_MS);
  });
  const outcome = call.then(
    () => "resolved" as const,
    (error: unknown) => {
      if (error instanceof StoreError) return error;
      throw error;
    },
  );

  try {
    return await Promise.race([outcome, hung]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntilServing(store: RedisStore): Promise<void> {
  await waitFor("the store to work again", async () => (await store.get("probe")) === null, 15_000);
}

describe.each(LIBRARIES)("RedisStore faults (%s)", (library) => {
  it("fails validate and create with a StoreError while down, then recovers (SF-01)", async () => {
    const server = await durableServer();
    const { store } = await storeOn(server, library);
    const manager = managerOver(store);
    const { token } = await manager.create({ userId: "user-sf01" });
    const header = `${manager.cookieName}=${token}`;

    await server.kill();
    const validated = await settle(manager.validateCookieHeader(header));
    const created = await settle(manager.create({ userId: "user-sf01" }));
    const read = await settle(store.get(makeRecord().id));

    for (const outcome of [validated, created, read]) {
      expect(outcome).toBeInstanceOf(StoreError);
      if (!(outcome instanceof StoreError)) continue;
      expect(["store-unavailable", "store-timeout"]).toContain(outcome.code);
      expect(outcome.cause).toBeDefined();
    }

    await server.restart();
    await waitUntilServing(store);
    const again = await manager.validateCookieHeader(header);
    expect(again.ok).toBe(true);
    expect((await manager.listForUser("user-sf01")).length).toBe(1);
  });

  it("fails a save and a rotation with a StoreError and changes nothing (SF-02)", async () => {
    const server = await durableServer();
    const { store } = await storeOn(server, library);
    const manager = managerOver(store);
    const { token } = await manager.create({ userId: "user-sf02", data: { cart: 1 } });
    const header = `${manager.cookieName}=${token}`;
    const loaded = await manager.validateCookieHeader(header);
    if (!loaded.ok) throw new Error("the session did not validate");

    await server.kill();
    const updated = await settle(manager.update(loaded.session, { set: { cart: 2 } }));
    const rotated = await settle(manager.rotate(loaded.session));

    expect(updated).toBeInstanceOf(StoreError);
    expect(rotated).toBeInstanceOf(StoreError);
    await server.restart();
    await waitUntilServing(store);
    const after = await manager.validateCookieHeader(header);
    expect(after.ok && after.session.data).toEqual({ cart: 1 });
    expect(await manager.listForUser("user-sf02")).toHaveLength(1);
  });

  it("gives store-timeout for a frozen server and works again once it thaws (SF-06)", async () => {
    const server = await durableServer();
    const { store } = await storeOn(server, library);
    const record = makeRecord();
    await store.create(record);

    server.pause();
    const read = await settle(store.get(record.id));
    const touched = await settle(
      store.touch(record.id, {
        lastSeenAt: Date.now(),
        idleExpiresAt: Date.now() + 60_000,
        expiresAt: Date.now() + 60_000,
      }),
    );
    server.resume();

    for (const outcome of [read, touched]) {
      expect(outcome).toBeInstanceOf(StoreError);
      expect(outcome instanceof StoreError && outcome.code).toBe("store-timeout");
    }
    await waitUntilServing(store);
    expect(await store.get(record.id)).toMatchObject({ id: record.id, state: "active" });
  });

  it("fails writes refused for lack of memory with store-unavailable (OOM)", async () => {
    const server = await durableServer();
    const { store, admin } = await storeOn(server, library);
    const kept = makeRecord();
    await store.create(kept);
    await admin.command(["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
    await admin.command(["CONFIG", "SET", "maxmemory", "1"]);

    const created = await settle(store.create(makeRecord()));
    const read = await store.get(kept.id);
    await admin.command(["CONFIG", "SET", "maxmemory", "0"]);

    expect(created).toBeInstanceOf(StoreError);
    expect(created instanceof StoreError && created.code).toBe("store-unavailable");
    expect(created instanceof StoreError && String(created.cause)).toMatch(/OOM/);
    expect(read).toMatchObject({ id: kept.id });
  });

  it("reloads its scripts with EVAL after the server lost them (SCRIPT FLUSH)", async () => {
    const server = await durableServer();
    const { store, admin } = await storeOn(server, library);
    const record = makeRecord();
    await store.create(record);

    await admin.command(["SCRIPT", "FLUSH"]);
    const revoked = await store.markRevoked(record.id, Date.now() + 60_000);

    expect(revoked).toBe(true);
    expect(await store.get(record.id)).toMatchObject({ state: "revoked", data: {} });
  });
});

describe("RedisStore with a client that queues while offline", () => {
  it("still ends each call within commandTimeoutMs when ioredis queues commands", async () => {
    const server = await durableServer();
    // ioredis defaults: offline queue on, 20 retries per request. The store's own timer bounds it.
    const client = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    client.on("error", () => undefined);
    await client.connect();
    cleanups.push(async () => client.disconnect());
    const store = new RedisStore({
      client,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      prefix: "queued:",
    });

    await server.kill();
    const outcome = await settle(store.get(makeRecord().id));

    expect(outcome).toBeInstanceOf(StoreError);
    expect(outcome instanceof StoreError && outcome.code).toBe("store-timeout");
    await server.restart();
    await waitUntilServing(store);
  });

  it("fails at once with store-unavailable against a port nobody listens on (FR-06)", async () => {
    const port = await freePort();
    const client = new Redis({
      host: "127.0.0.1",
      port,
      lazyConnect: true,
      enableOfflineQueue: false,
    });
    client.on("error", () => undefined);
    cleanups.push(async () => client.disconnect());
    const store = new RedisStore({ client, commandTimeoutMs: COMMAND_TIMEOUT_MS });
    const manager = managerOver(store);

    const read = await settle(store.get(makeRecord().id));
    const validated = await settle(
      manager.validateCookieHeader(`${manager.cookieName}=${makeRecord().id}.${"a".repeat(43)}`),
    );

    expect(read instanceof StoreError && read.code).toBe("store-unavailable");
    expect(validated).toBeInstanceOf(StoreError);
    expect(isLatchkeyError(validated)).toBe(true);
  });
});
