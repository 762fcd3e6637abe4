import { Cluster, Redis, type RedisOptions } from "ioredis";
import { createClient, createCluster } from "redis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisStore, type RedisStoreOptions } from "../../../src/stores/redis/index.js";
import { configErrorOf } from "../../support/config-error.js";

// Construction-time checks: options and client set-up fail with a ConfigError naming the
// option, before any command is sent. The clients here never connect (lazyConnect / no
// connect call), so this file needs no server.
const clients: { disconnect(): void }[] = [];

function lazyIoRedis(options: RedisOptions = {}): Redis {
  const client = new Redis({ lazyConnect: true, enableOfflineQueue: false, ...options });
  clients.push(client);
  return client;
}

afterAll(() => {
  for (const client of clients) client.disconnect();
});

describe("RedisStore options", () => {
  it.each([
    ["empty", ""],
    ["glob star", "*"],
    ["glob pattern", "sess:*"],
    ["question mark", "app?"],
    ["brackets", "app[1]"],
    ["a space", "my app:"],
    ["braces (a hash tag of its own)", "{app}:"],
    ["a newline", "app\n"],
    ["a backslash", "a\\b"],
    ["65 characters", "a".repeat(65)],
  ])("refuses a prefix with %s (INJ-04)", (_name, prefix) => {
    const error = configErrorOf(() => new RedisStore({ client: lazyIoRedis(), prefix }));

    expect(error.field).toBe("store.prefix");
  });

  it.each(["latchkey:", "app-1.sessions:", "A_b:c", "x"])("accepts the prefix %j", (prefix) => {
    expect(() => new RedisStore({ client: lazyIoRedis(), prefix })).not.toThrow();
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 600_001])(
    "refuses commandTimeoutMs %s",
    (commandTimeoutMs) => {
      const error = configErrorOf(
        () => new RedisStore({ client: lazyIoRedis(), commandTimeoutMs }),
      );

      expect(error.field).toBe("store.commandTimeoutMs");
    },
  );

  it.each([0, -5, 2.5])("refuses maxRecordBytes %s", (maxRecordBytes) => {
    const error = configErrorOf(() => new RedisStore({ client: lazyIoRedis(), maxRecordBytes }));

    expect(error.field).toBe("store.maxRecordBytes");
  });

  it.each([null, undefined, {}, { get: () => null }, "redis://127.0.0.1"])(
    "refuses a client that is neither library's: %j",
    (client) => {
      const options = { client } as unknown as RedisStoreOptions;

      expect(configErrorOf(() => new RedisStore(options)).field).toBe("store.client");
    },
  );
});

describe("RedisStore client checks", () => {
  it("refuses ioredis that queues commands forever (maxRetriesPerRequest: null)", () => {
    const client = lazyIoRedis({ enableOfflineQueue: true, maxRetriesPerRequest: null });

    expect(configErrorOf(() => new RedisStore({ client })).message).toMatch(/enableOfflineQueue/);
  });

  it("accepts ioredis without an offline queue, or with a finite retry count", () => {
    const withoutQueue = lazyIoRedis({ enableOfflineQueue: false, maxRetriesPerRequest: null });
    const withRetries = lazyIoRedis({ enableOfflineQueue: true, maxRetriesPerRequest: 2 });

    expect(() => new RedisStore({ client: withoutQueue })).not.toThrow();
    expect(() => new RedisStore({ client: withRetries })).not.toThrow();
  });

  it("refuses an ioredis Cluster with its offline queue on, or reading from replicas", () => {
    const queued = new Cluster([{ host: "127.0.0.1", port: 1 }], { lazyConnect: true });
    const replicas = new Cluster([{ host: "127.0.0.1", port: 1 }], {
      lazyConnect: true,
      enableOfflineQueue: false,
      scaleReads: "slave",
    });
    const sound = new Cluster([{ host: "127.0.0.1", port: 1 }], {
      lazyConnect: true,
      enableOfflineQueue: false,
    });
    clients.push(queued, replicas, sound);

    expect(configErrorOf(() => new RedisStore({ client: queued })).field).toBe("store.client");
    expect(configErrorOf(() => new RedisStore({ client: replicas })).message).toMatch(/replica/);
    expect(() => new RedisStore({ client: sound })).not.toThrow();
  });

  it("refuses ioredis with a keyPrefix, on a client or a Cluster", () => {
    const prefixed = lazyIoRedis({ keyPrefix: "app:" });
    const cluster = new Cluster([{ host: "127.0.0.1", port: 1 }], {
      lazyConnect: true,
      enableOfflineQueue: false,
      keyPrefix: "app:",
    });
    const viaRedisOptions = new Cluster([{ host: "127.0.0.1", port: 1 }], {
      lazyConnect: true,
      enableOfflineQueue: false,
      redisOptions: { keyPrefix: "app:" },
    });
    clients.push(cluster, viaRedisOptions);

    for (const client of [prefixed, cluster, viaRedisOptions]) {
      const error = configErrorOf(() => new RedisStore({ client }));
      expect(error.field).toBe("store.client");
      expect(error.message).toMatch(/keyPrefix/);
    }
    expect(() => new RedisStore({ client: lazyIoRedis({ keyPrefix: "" }) })).not.toThrow();
  });

  it("refuses an ioredis Sentinel client that connects to a replica", () => {
    const sentinels = [{ host: "127.0.0.1", port: 1 }];
    const replica = lazyIoRedis({ sentinels, name: "m", role: "slave" });
    const master = lazyIoRedis({ sentinels, name: "m", role: "master" });

    expect(configErrorOf(() => new RedisStore({ client: replica })).message).toMatch(/master/);
    expect(() => new RedisStore({ client: master })).not.toThrow();
  });

  it("refuses node-redis with its unbounded offline queue; accepts it disabled or capped", () => {
    const queued = createClient({ url: "redis://127.0.0.1:1" });
    const disabled = createClient({ url: "redis://127.0.0.1:1", disableOfflineQueue: true });
    const capped = createClient({ url: "redis://127.0.0.1:1", commandsQueueMaxLength: 100 });

    expect(configErrorOf(() => new RedisStore({ client: queued })).message).toMatch(
      /disableOfflineQueue/,
    );
    expect(() => new RedisStore({ client: disabled })).not.toThrow();
    expect(() => new RedisStore({ client: capped })).not.toThrow();
  });

  it("refuses a node-redis cluster that reads from replicas or queues without bound", () => {
    const rootNodes = [{ url: "redis://127.0.0.1:1" }];
    const replicas = createCluster({
      rootNodes,
      useReplicas: true,
      defaults: { disableOfflineQueue: true },
    });
    const queued = createCluster({ rootNodes });
    const sound = createCluster({ rootNodes, defaults: { disableOfflineQueue: true } });

    expect(configErrorOf(() => new RedisStore({ client: replicas })).message).toMatch(/replica/);
    expect(configErrorOf(() => new RedisStore({ client: queued })).field).toBe("store.client");
    expect(() => new RedisStore({ client: sound })).not.toThrow();
  });
});
