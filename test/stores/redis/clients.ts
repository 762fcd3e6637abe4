/**
 * Clients and harnesses for the Redis store tests: connected ioredis and node-redis clients
 * (standalone or Cluster), a unique key prefix per run, `writeCorrupt` for the contract suite,
 * and cleanup of exactly the keys a run wrote.
 */
import { Cluster, Redis } from "ioredis";
import { createClient, createCluster } from "redis";
import type { SessionRecord } from "../../../src/core/record.js";
import { generateToken, hashSecret, webCryptoRandom } from "../../../src/core/token.js";
import { encodeRecord } from "../../../src/stores/redis/encoding.js";
import { RedisStore, type RedisStoreOptions } from "../../../src/stores/redis/index.js";
import type { ContractHarness, CorruptVariant } from "../../contract/store-contract.js";
import { makeRecord } from "../../support/records.js";
import { serviceAvailable, uniqueName } from "../../support/services.js";

/** The shared Redis of this machine. */
export const SHARED_REDIS = { host: "127.0.0.1", port: 6379 } as const;

/** A database of the shared Redis for this run (1–15; 0 is left to apps). */
export const RUN_DATABASE = 1 + (process.pid % 15);

/**
 * Whether the shared Redis answers. Outside CI an absent server skips the suite loudly; under
 * `CI=true` it fails it.
 */
export function sharedRedisAvailable(): Promise<boolean> {
  return serviceAvailable("redis", async () => {
    const probe = new Redis({ ...SHARED_REDIS, lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on("error", () => undefined);
    try {
      await probe.connect();
      await probe.ping();
    } finally {
      probe.disconnect();
    }
  });
}

/** A harness on the shared Redis, in this run's database. */
export function openSharedStore(
  library: Library,
  options: Omit<RedisStoreOptions, "client"> = {},
): Promise<StoreHarness> {
  return openStore(library, { kind: "server", ...SHARED_REDIS, db: RUN_DATABASE }, options);
}

/** Which client library a harness uses. */
export type Library = "ioredis" | "node-redis";

/** Where a client connects. */
export type Target =
  | { kind: "server"; host: string; port: number; db?: number }
  | { kind: "cluster"; seeds: readonly { host: string; port: number }[] };

/** A connected client of either library, with the raw commands tests need. */
export interface TestClient {
  readonly library: Library;
  /** What the store is given. */
  readonly client: RedisStoreOptions["client"];
  /** Sends one command; routed by its first key on a Cluster. */
  command(args: string[]): Promise<unknown>;
  /** A command sender per master (the server, or each Cluster master), for keyless commands. */
  masters(): Promise<((args: string[]) => Promise<unknown>)[]>;
  close(): Promise<void>;
}

/** A fixture record and the token that validates it. */
export function recordWithToken(overrides: Partial<SessionRecord> = {}): {
  record: SessionRecord;
  token: string;
} {
  const { id, secret, token } = generateToken(webCryptoRandom);
  return { record: makeRecord({ id, secretHash: hashSecret(secret), ...overrides }), token };
}

/** A fresh unique prefix, e.g. `lk_1234_lx2k_ab12cd:`. */
export function uniquePrefix(): string {
  return `${uniqueName("lk")}:`;
}

/** Connects a client of `library` to `target`, configured as the store requires. */
export async function connectClient(library: Library, target: Target): Promise<TestClient> {
  if (library === "ioredis") {
    if (target.kind === "cluster") {
      const cluster = new Cluster([...target.seeds], {
        enableOfflineQueue: false,
        lazyConnect: true,
        redisOptions: { maxRetriesPerRequest: 1 },
      });
      cluster.on("error", () => undefined);
      await cluster.connect();
      return {
        library,
        client: cluster,
        command: ([name, ...args]) => cluster.call(name as string, ...args),
        masters: async () =>
          cluster
            .nodes("master")
            .map((node) => (args) => node.call(args[0] as string, ...args.slice(1))),
        close: async () => void (await cluster.quit()),
      };
    }
    const redis = new Redis({
      host: target.host,
      port: target.port,
      db: target.db ?? 0,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    // Connection errors also reach the commands that fail; the store reports those.
    redis.on("error", () => undefined);
    await redis.connect();
    return {
      library,
      client: redis,
      command: ([name, ...args]) => redis.call(name as string, ...args),
      masters: async () => [(args) => redis.call(args[0] as string, ...args.slice(1))],
      close: async () => void (await redis.quit()),
    };
  }

  if (target.kind === "cluster") {
    const cluster = createCluster({
      rootNodes: target.seeds.map((seed) => ({ url: `redis://${seed.host}:${seed.port}` })),
      defaults: { disableOfflineQueue: true },
    });
    await cluster.connect();
    return {
      library,
      client: cluster,
      command: (args) => cluster.sendCommand(args[1], false, args),
      masters: () =>
        Promise.all(
          cluster.masters.map(async (master) => {
            const node = await cluster.nodeClient(master);
            return (args: string[]) => node.sendCommand(args);
          }),
        ),
      close: async () => cluster.close(),
    };
  }
  const client = createClient({
    url: `redis://${target.host}:${target.port}/${target.db ?? 0}`,
    disableOfflineQueue: true,
  });
  client.on("error", () => {
    // Connection errors also reach the commands that fail; the store reports those.
  });
  await client.connect();
  return {
    library,
    client,
    command: (args) => client.sendCommand(args),
    masters: async () => [(args) => client.sendCommand(args)],
    close: async () => client.close(),
  };
}

/** Every key of a prefix, for assertions and cleanup (SCAN on every master). */
export async function keysOf(admin: TestClient, prefix: string): Promise<string[]> {
  const pattern = `{${prefix}}*`;
  const keys: string[] = [];

  for (const send of await admin.masters()) {
    let cursor = "0";
    for (let round = 0; round < 10_000; round++) {
      const reply = (await send(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"])) as [
        string,
        string[],
      ];
      keys.push(...reply[1]);
      cursor = String(reply[0]);
      if (cursor === "0") break;
    }
  }
  return keys;
}

/** Deletes every key of a prefix (never FLUSHDB: other suites share the server). */
export async function removePrefix(admin: TestClient, prefix: string): Promise<void> {
  const keys = await keysOf(admin, prefix);

  for (let i = 0; i < keys.length; i += 500) {
    await admin.command(["UNLINK", ...keys.slice(i, i + 500)]);
  }
}

/** The hash key of a session, as the store lays it out. */
export function sessionKey(prefix: string, id: string): string {
  return `{${prefix}}s:${id}`;
}

/** The index key of a user. */
export function userKey(prefix: string, userId: string): string {
  return `{${prefix}}u:${userId}`;
}

/**
 * Spoils the stored hash of `id` as a person editing Redis by hand might. A missing record is
 * first written as a well-formed hash (with a one-minute TTL), then spoiled.
 */
export async function writeCorrupt(
  admin: TestClient,
  prefix: string,
  id: string,
  variant: CorruptVariant,
): Promise<void> {
  const key = sessionKey(prefix, id);

  if (Number(await admin.command(["EXISTS", key])) === 0) {
    const record = makeRecord({ id });
    const index = record.userId === null ? null : userKey(prefix, record.userId);
    await admin.command(["HSET", key, ...encodeRecord(record, index)]);
    await admin.command(["PEXPIRE", key, "60000"]);
  }

  if (variant === "bad-json") await admin.command(["HSET", key, "state", '"act']);
  if (variant === "wrong-types") await admin.command(["HSET", key, "expiresAt", '"soon"']);
  if (variant === "seconds-not-ms") {
    const seconds = String(Math.floor(Date.now() / 1000));
    const fields = ["createdAt", "lastSeenAt", "idleExpiresAt", "absoluteExpiresAt", "expiresAt"];
    await admin.command(["HSET", key, ...fields.flatMap((field) => [field, seconds])]);
  }
}

/** A store on a fresh prefix with its own client, plus an admin client for raw commands. */
export interface StoreHarness extends ContractHarness {
  readonly store: RedisStore;
  readonly prefix: string;
  readonly client: TestClient;
  readonly admin: TestClient;
  writeCorrupt: (id: string, variant: CorruptVariant) => Promise<void>;
}

/** Opens a store for `library` on `target`, with a unique prefix; `close` removes its keys. */
export async function openStore(
  library: Library,
  target: Target,
  options: Omit<RedisStoreOptions, "client"> = {},
): Promise<StoreHarness> {
  const prefix = options.prefix ?? uniquePrefix();
  const client = await connectClient(library, target);
  const admin = await connectClient("ioredis", target);
  const store = new RedisStore({ ...options, client: client.client, prefix });

  return {
    store,
    prefix,
    client,
    admin,
    writeCorrupt: (id, variant) => writeCorrupt(admin, prefix, id, variant),
    close: async () => {
      await removePrefix(admin, prefix);
      await Promise.all([client.close(), admin.close()]);
    },
  };
}
