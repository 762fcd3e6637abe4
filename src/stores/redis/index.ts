/**
 * `latchkey/redis`: a session store over Redis, on one server, with Sentinel or on Redis
 * Cluster. Works with `ioredis` (v5) and `redis` (node-redis v4/v5), both optional peer
 * dependencies; the app builds and connects the client and passes it in. Needs a runtime with
 * TCP sockets for the client (Node, Bun, Deno with npm support).
 *
 * @example
 * ```ts
 * import Redis from "ioredis";
 * import { RedisStore } from "latchkey/redis";
 *
 * const store = new RedisStore({ client: new Redis({ enableOfflineQueue: false }) });
 * ```
 *
 * @module latchkey/redis
 */

export { RedisStore } from "./store.js";
export type { RedisStoreOptions } from "./store.js";
export type {
  IoRedisClientLike,
  NodeRedisClientLike,
  NodeRedisScriptOptions,
  RedisClientLike,
} from "./client.js";
