/**
 * Every HTTP scenario by name: its setup function, the store it talks to (for the round-trip
 * counters and for skipping a scenario whose server is absent), and the ceiling and peer it is
 * compared with in the report.
 */
import { expressAsyncNoop, expressBare, fetchBare, nodeBare } from "./scenarios/bare.mjs";
import { esMemory, esPg, esRedis, ironNode } from "./scenarios/peers.mjs";
import * as lk from "./scenarios/latchkey.mjs";

/**
 * @type {Record<string, { setup: Function, label: string, store: string | null,
 *   shape: "node" | "express" | "fetch", kind: "ceiling" | "peer" | "latchkey",
 *   peer?: string, needs?: string }>}
 */
export const SCENARIOS = {
  "node-bare": {
    setup: nodeBare,
    label: "bare Node http",
    store: null,
    shape: "node",
    kind: "ceiling",
  },
  "express-bare": {
    setup: expressBare,
    label: "bare Express 5",
    store: null,
    shape: "express",
    kind: "ceiling",
  },
  "express-async-noop": {
    setup: expressAsyncNoop,
    label: "bare Express 5 + one no-op async middleware",
    store: null,
    shape: "express",
    kind: "ceiling",
  },
  "fetch-bare": {
    setup: fetchBare,
    label: "bare Fetch handler (Node adapter)",
    store: null,
    shape: "fetch",
    kind: "ceiling",
  },
  "es-memory": {
    setup: esMemory,
    label: "express-session + MemoryStore",
    store: "memory",
    shape: "express",
    kind: "peer",
  },
  "es-redis": {
    setup: esRedis,
    label: "express-session + connect-redis (node-redis)",
    store: "redis",
    shape: "express",
    kind: "peer",
  },
  "es-pg": {
    setup: esPg,
    label: "express-session + connect-pg-simple",
    store: "pg",
    shape: "express",
    kind: "peer",
  },
  "iron-node": {
    setup: ironNode,
    label: "iron-session on Node http",
    store: null,
    shape: "node",
    kind: "peer",
  },
  "lk-memory-node": {
    setup: lk.memoryNode,
    label: "latchkey memory, Node http",
    store: "memory",
    shape: "node",
    kind: "latchkey",
    peer: "es-memory",
    needs: "latchkey/node",
  },
  "lk-memory-fetch": {
    setup: lk.memoryFetch,
    label: "latchkey memory, Fetch",
    store: "memory",
    shape: "fetch",
    kind: "latchkey",
    peer: "es-memory",
    needs: "latchkey/fetch",
  },
  "lk-memory-express": {
    setup: lk.memoryExpress,
    label: "latchkey memory, Express",
    store: "memory",
    shape: "express",
    kind: "latchkey",
    peer: "es-memory",
    needs: "latchkey/express",
  },
  "lk-redis-noderedis-express": {
    setup: lk.redisNodeRedisExpress,
    label: "latchkey Redis (node-redis), Express",
    store: "redis",
    shape: "express",
    kind: "latchkey",
    peer: "es-redis",
    needs: "latchkey/redis",
  },
  "lk-redis-ioredis-express": {
    setup: lk.redisIoredisExpress,
    label: "latchkey Redis (ioredis), Express",
    store: "redis",
    shape: "express",
    kind: "latchkey",
    peer: "es-redis",
    needs: "latchkey/redis",
  },
  "lk-redis-noderedis-node": {
    setup: lk.redisNodeRedisNode,
    label: "latchkey Redis (node-redis), Node http",
    store: "redis",
    shape: "node",
    kind: "latchkey",
    peer: "iron-node",
    needs: "latchkey/redis",
  },
  "lk-pg-express": {
    setup: lk.pgExpress,
    label: "latchkey PostgreSQL, Express",
    store: "pg",
    shape: "express",
    kind: "latchkey",
    peer: "es-pg",
    needs: "latchkey/postgres",
  },
  "lk-mysql-express": {
    setup: lk.mysqlExpress,
    label: "latchkey MariaDB, Express",
    store: "mysql",
    shape: "express",
    kind: "latchkey",
    peer: "es-pg",
    needs: "latchkey/mysql",
  },
  "lk-sqlite-express": {
    setup: lk.sqliteExpress,
    label: "latchkey SQLite, Express",
    store: "sqlite",
    shape: "express",
    kind: "latchkey",
    peer: "es-pg",
    needs: "latchkey/sqlite",
  },
};
