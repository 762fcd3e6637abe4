import { Redis } from "ioredis";
import { createSentinel } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStoreContract } from "../../contract/store-contract.js";
import { configErrorOf } from "../../support/config-error.js";
import { makeRecord } from "../../support/records.js";
import { waitFor } from "../../support/services.js";
import { startRedisServer, type RedisServer } from "../../support/redis-server.js";
import { RedisStore } from "../../../src/stores/redis/index.js";
import {
  removePrefix,
  sessionKey,
  uniquePrefix,
  writeCorrupt,
  type TestClient,
} from "./clients.js";

// The store through Redis Sentinel: a master and one Sentinel watching it, both started here.
// The clients ask the Sentinel where the master is; the store itself needs nothing special.
const MASTER_NAME = "latchkey-master";
let master: RedisServer;
let sentinel: RedisServer;

let replica: RedisServer;

beforeAll(async () => {
  master = await startRedisServer();
  replica = await startRedisServer({ config: [`replicaof 127.0.0.1 ${master.port}`] });
  sentinel = await startRedisServer({
    sentinel: true,
    config: [`sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 1`],
  });
});

afterAll(async () => {
  await sentinel?.stop();
  await replica?.stop();
  await master?.stop();
});

function ioredisViaSentinel(): Redis {
  const client = new Redis({
    sentinels: [{ host: sentinel.host, port: sentinel.port }],
    name: MASTER_NAME,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  client.on("error", () => undefined);
  return client;
}

/** A raw admin client on the master itself, for writeCorrupt and cleanup. */
async function masterAdmin(): Promise<TestClient & { raw: Redis }> {
  const raw = new Redis({ host: master.host, port: master.port, lazyConnect: true });
  await raw.connect();
  return {
    raw,
    library: "ioredis",
    client: raw,
    command: ([name, ...args]) => raw.call(name as string, ...args),
    masters: async () => [(args) => raw.call(args[0] as string, ...args.slice(1))],
    close: async () => void (await raw.quit()),
  };
}

runStoreContract("RedisStore via Sentinel (ioredis)", async () => {
  const client = ioredisViaSentinel();
  await client.connect();
  const admin = await masterAdmin();
  const prefix = uniquePrefix();
  return {
    store: new RedisStore({ client, prefix }),
    writeCorrupt: (id, variant) => writeCorrupt(admin, prefix, id, variant),
    close: async () => {
      await removePrefix(admin, prefix);
      await Promise.all([client.quit(), admin.close()]);
    },
  };
});

describe("RedisStore via Sentinel (node-redis)", () => {
  it("creates, reads, revokes and lists through createSentinel", async () => {
    const client = createSentinel({
      name: MASTER_NAME,
      sentinelRootNodes: [{ host: sentinel.host, port: sentinel.port }],
      nodeClientOptions: { disableOfflineQueue: true },
    });
    client.on("error", () => undefined);
    await client.connect();
    const prefix = uniquePrefix();
    const store = new RedisStore({ client, prefix });
    const record = makeRecord();
    const admin = await masterAdmin();

    try {
      expect(await store.create(record)).toBe("created");
      // The write went to the master the Sentinel named.
      expect(await admin.command(["EXISTS", sessionKey(prefix, record.id)])).toBe(1);
      expect(await store.get(record.id)).toEqual(record);
      expect(await store.markRevoked(record.id, Date.now() + 60_000)).toBe(true);
      expect((await store.listByUser(record.userId!)).map((found) => found.state)).toEqual([
        "revoked",
      ]);
      await store.delete(record.id);
      expect(await store.get(record.id)).toBeNull();
    } finally {
      await removePrefix(admin, prefix);
      await Promise.all([client.close(), admin.close()]);
    }
  });

  it("refuses a sentinel that opened replica clients (replicaPoolSize > 0)", async () => {
    const client = createSentinel({
      name: MASTER_NAME,
      sentinelRootNodes: [{ host: sentinel.host, port: sentinel.port }],
      nodeClientOptions: { disableOfflineQueue: true },
      replicaPoolSize: 1,
    });
    client.on("error", () => undefined);
    await client.connect();

    try {
      // The sentinel learns of the replica from the master's INFO after a short while.
      await waitFor("the sentinel to open a replica client", async () => {
        return client.getReplicaNodes().size > 0;
      });
      const error = configErrorOf(() => new RedisStore({ client, prefix: uniquePrefix() }));
      expect(error.field).toBe("store.client");
      expect(error.message).toMatch(/replica/);
    } finally {
      await client.close();
    }
  });
});
