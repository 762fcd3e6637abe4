import { ConfigError } from "../../core/errors.js";

/**
 * The few commands the store sends, declared structurally so that neither Redis client is a
 * dependency: an `ioredis` client (`Redis` or `Cluster`, also with Sentinel) or a `redis`
 * (node-redis v4/v5) client (`createClient`, `createCluster`, `createSentinel`).
 */

/** The part of an `ioredis` `Redis` or `Cluster` the store uses. */
export interface IoRedisClientLike {
  /** Reads a session's hash in `get`. */
  hgetall(key: string): Promise<unknown>;
  /** Runs one of the store's Lua scripts (every operation but `get`) by its SHA-1. */
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** Sends a script's source when the server does not know its SHA-1 yet (`NOSCRIPT`). */
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /**
   * Read at construction to refuse an unbounded offline queue, replica reads, and a key prefix
   * (ioredis prefixes the keys of a script, not the key names the script builds itself).
   */
  readonly options?: {
    enableOfflineQueue?: boolean;
    maxRetriesPerRequest?: number | null;
    scaleReads?: unknown;
    role?: unknown;
    keyPrefix?: unknown;
    redisOptions?: { keyPrefix?: unknown };
  };
  readonly isCluster?: boolean;
}

/** Keys and arguments of a node-redis script call. */
export interface NodeRedisScriptOptions {
  keys: string[];
  arguments: string[];
}

/** The part of a node-redis client, cluster or sentinel the store uses. */
export interface NodeRedisClientLike {
  /** Reads a session's hash in `get`. */
  hGetAll(key: string): Promise<unknown>;
  /** Runs one of the store's Lua scripts (every operation but `get`) by its SHA-1. */
  evalSha(sha: string, options: NodeRedisScriptOptions): Promise<unknown>;
  /** Sends a script's source when the server does not know its SHA-1 yet (`NOSCRIPT`). */
  eval(script: string, options: NodeRedisScriptOptions): Promise<unknown>;
  /** A client's options, read at construction to refuse an unbounded offline queue. */
  readonly options?: { disableOfflineQueue?: boolean; commandsQueueMaxLength?: number };
  /** A cluster's options, read at construction for the same checks. */
  readonly _options?: {
    defaults?: { disableOfflineQueue?: boolean; commandsQueueMaxLength?: number };
    useReplicas?: boolean;
  };
  /** A sentinel's replica clients (node → count), read at construction to refuse replicas. */
  getReplicaNodes?(): Map<unknown, number>;
}

/** Either supported client. */
export type RedisClientLike = IoRedisClientLike | NodeRedisClientLike;

/** The store's view of a client, the same for both libraries. */
export interface RedisDriver {
  readonly library: "ioredis" | "node-redis";
  hgetall(key: string): Promise<unknown>;
  evalsha(sha: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/**
 * Wraps a client of either library after checking its configuration.
 * @throws ConfigError (`store.client`) for something that is neither client, for a client that
 *   queues commands without bound while disconnected, or for one that reads from replicas
 *   (a replica may not have seen a revoke yet).
 */
export function driverFor(client: unknown): RedisDriver {
  if (isIoRedis(client)) {
    checkIoRedis(client);
    return {
      library: "ioredis",
      hgetall: (key) => client.hgetall(key),
      evalsha: (sha, keys, args) => client.evalsha(sha, keys.length, ...keys, ...args),
      eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
    };
  }

  if (isNodeRedis(client)) {
    checkNodeRedis(client);
    return {
      library: "node-redis",
      hgetall: (key) => client.hGetAll(key),
      evalsha: (sha, keys, args) => client.evalSha(sha, { keys, arguments: args }),
      eval: (script, keys, args) => client.eval(script, { keys, arguments: args }),
    };
  }

  throw new ConfigError("store.client", "expected an ioredis or a node-redis (redis) client");
}

function isIoRedis(client: unknown): client is IoRedisClientLike {
  return hasMethods(client, ["hgetall", "evalsha", "eval"]);
}

function isNodeRedis(client: unknown): client is NodeRedisClientLike {
  return hasMethods(client, ["hGetAll", "evalSha", "eval"]);
}

function hasMethods(value: unknown, names: string[]): boolean {
  if (typeof value !== "object" || value === null) return false;

  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === "function");
}

// ioredis queues commands while disconnected unless enableOfflineQueue is false. A standalone
// client drops its queue after maxRetriesPerRequest reconnects (20 by default); `null` keeps it
// forever. A Cluster's own queue (used while the cluster is not ready) has no such bound.
function checkIoRedis(client: IoRedisClientLike): void {
  const options = client.options ?? {};
  const queued = options.enableOfflineQueue !== false;

  const prefix = options.keyPrefix ?? options.redisOptions?.keyPrefix;
  if (prefix !== undefined && prefix !== "") {
    throw new ConfigError(
      "store.client",
      "an ioredis client with keyPrefix cannot run the store's scripts (ioredis does not " +
        "prefix the keys a script names itself); use the store's prefix option instead",
    );
  }
  if (options.role !== undefined && options.role !== "master") {
    throw new ConfigError(
      "store.client",
      'an ioredis Sentinel client must connect to the master (role: "master"): a replica ' +
        "may not have seen a revoke yet, and cannot run the store's writes",
    );
  }

  if (client.isCluster === true) {
    if (queued) {
      throw new ConfigError(
        "store.client",
        "an ioredis Cluster must be built with enableOfflineQueue: false, or its queue of " +
          "commands grows without bound while the cluster is down",
      );
    }
    if (options.scaleReads !== undefined && options.scaleReads !== "master") {
      throw new ConfigError(
        "store.client",
        'an ioredis Cluster must read from masters (scaleReads: "master"): a replica may ' +
          "not have seen a revoke yet",
      );
    }
    return;
  }

  if (queued && options.maxRetriesPerRequest === null) {
    throw new ConfigError(
      "store.client",
      "ioredis with maxRetriesPerRequest: null queues commands forever while Redis is down; " +
        "set enableOfflineQueue: false or a finite maxRetriesPerRequest",
    );
  }
}

// node-redis queues commands while disconnected, without bound, unless disableOfflineQueue is
// set or commandsQueueMaxLength caps the queue.
function checkNodeRedis(client: NodeRedisClientLike): void {
  // A sentinel keeps its options private; what it shows is the replica clients it opened on
  // connect(), which exist only with replicaPoolSize > 0.
  if (typeof client.getReplicaNodes === "function") {
    const replicas = readOptional(() => client.getReplicaNodes?.());
    if (replicas instanceof Map && replicas.size > 0) {
      throw new ConfigError(
        "store.client",
        "a node-redis sentinel must not read from replicas (replicaPoolSize: 0): a replica may " +
          "not have seen a revoke yet",
      );
    }
    return;
  }

  const clusterOptions = readOptional(() => client._options);
  const options =
    clusterOptions !== undefined
      ? (clusterOptions.defaults ?? {})
      : readOptional(() => client.options);

  if (clusterOptions?.useReplicas === true) {
    throw new ConfigError(
      "store.client",
      "a node-redis cluster must not read from replicas (useReplicas): a replica may not " +
        "have seen a revoke yet",
    );
  }
  if (options === undefined) return;

  const bounded =
    options.disableOfflineQueue === true ||
    (typeof options.commandsQueueMaxLength === "number" && options.commandsQueueMaxLength > 0);
  if (!bounded) {
    throw new ConfigError(
      "store.client",
      "node-redis queues commands without bound while Redis is down; build the client with " +
        "disableOfflineQueue: true (or a commandsQueueMaxLength)",
    );
  }
}

// Some clients are proxies whose option getters throw before connect; treat that as unknown.
function readOptional<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
