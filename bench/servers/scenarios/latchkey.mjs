/**
 * latchkey's scenarios. Every one signs "user-1" in once with `manager.create()` and serves
 * `GET /me` from the session; the load tool sends `__Host-sid=<token>`. The renewal interval is
 * the default (60 s) unless BENCH_ENV sets `renewalIntervalMs` (the round-trip phase's "renewed
 * request" runs use 1 ms). latchkey is imported by package name, from dist/.
 */
import express from "express";
import { createSessionManager, MemoryStore } from "latchkey";
import { serveFetch } from "../../lib/fetch-node.mjs";
import { notFound } from "./bare.mjs";

function managerFor(store, env) {
  const options = { store };
  if (env.renewalIntervalMs !== undefined) options.renewalIntervalMs = env.renewalIntervalMs;
  return createSessionManager(options);
}

async function signedIn(manager) {
  const { token } = await manager.create({ userId: "user-1" });
  return `${manager.cookieName}=${token}`;
}

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

async function nodeApp(manager) {
  const { loadSession } = await import("latchkey/node");
  return (req, res) => {
    if (req.url !== "/me") return notFound(res);
    loadSession(manager, req, res).then(
      (session) => {
        if (session.userId === null) sendJson(res, 401, { error: "no session" });
        else sendJson(res, 200, { userId: session.userId });
      },
      () => sendJson(res, 503, { error: "store" }),
    );
  };
}

async function expressApp(manager) {
  const { sessionMiddleware } = await import("latchkey/express");
  const app = express();
  app.use(sessionMiddleware(manager));
  app.get("/me", (req, res) => {
    const userId = req.session.userId;
    if (userId === null) return res.status(401).json({ error: "no session" });
    res.json({ userId });
  });
  return app;
}

async function fetchApp(manager) {
  const { loadSession, writeSessionCookie } = await import("latchkey/fetch");
  return serveFetch(async (request) => {
    if (new URL(request.url).pathname !== "/me") return new Response(null, { status: 404 });
    const session = await loadSession(manager, request);
    if (session.userId === null) return Response.json({ error: "no session" }, { status: 401 });
    return writeSessionCookie(Response.json({ userId: session.userId }), session);
  });
}

async function withStore(store, env, makeApp, close) {
  const manager = managerFor(store, env);
  return { handler: await makeApp(manager), cookie: await signedIn(manager), close };
}

function memoryStore() {
  // No sweep timer while measuring; nothing expires during a run.
  return new MemoryStore({ sweepIntervalMs: null });
}

/** Memory store on Node `http`. */
export const memoryNode = (env) => withStore(memoryStore(), env, nodeApp);
/** Memory store on a Fetch handler served through the bench's Node adapter. */
export const memoryFetch = (env) => withStore(memoryStore(), env, fetchApp);
/** Memory store on Express 5. */
export const memoryExpress = (env) => withStore(memoryStore(), env, expressApp);

async function nodeRedisStore(env) {
  const { createClient } = await import("redis");
  const { RedisStore } = await import("latchkey/redis");
  const client = createClient({ url: env.redisUrl, disableOfflineQueue: true });
  await client.connect();
  const prefix = `${env.runId}:lk:`;
  const store = new RedisStore({ client, prefix });
  return { store, close: () => dropRedisKeys(client, prefix, () => client.quit()) };
}

async function ioredisStore(env) {
  const { Redis } = await import("ioredis");
  const client = new Redis(env.redisUrl, { enableOfflineQueue: false, lazyConnect: true });
  await client.connect();
  const { RedisStore } = await import("latchkey/redis");
  const prefix = `${env.runId}:lki:`;
  const store = new RedisStore({ client, prefix });
  return {
    store,
    async close() {
      const keys = await client.keys(`{${prefix}}*`);
      if (keys.length > 0) await client.del(...keys);
      await client.quit();
    },
  };
}

async function dropRedisKeys(client, prefix, quit) {
  for await (const keys of client.scanIterator({ MATCH: `{${prefix}}*`, COUNT: 500 })) {
    if (keys.length > 0) await client.del(keys);
  }
  await quit();
}

/** Redis store over node-redis, on Express. */
export async function redisNodeRedisExpress(env) {
  const { store, close } = await nodeRedisStore(env);
  return withStore(store, env, expressApp, close);
}

/** Redis store over ioredis, on Express. */
export async function redisIoredisExpress(env) {
  const { store, close } = await ioredisStore(env);
  return withStore(store, env, expressApp, close);
}

/** Redis store over node-redis, on Node `http`. */
export async function redisNodeRedisNode(env) {
  const { store, close } = await nodeRedisStore(env);
  return withStore(store, env, nodeApp, close);
}

/** PostgreSQL store over a `pg` pool of `env.poolSize`, on Express. */
export async function pgExpress(env) {
  const pg = (await import("pg")).default;
  const pool = new pg.Pool({ ...env.pg, max: env.poolSize, idleTimeoutMillis: 0 });
  const tableName = `${env.runId}_lk`;
  const { createPostgresStore } = await import("latchkey/postgres");
  const store = await createPostgresStore({ pool, tableName, migrate: true });
  return withStore(store, env, expressApp, async () => {
    await store.close?.();
    await pool.query(`DROP TABLE IF EXISTS ${tableName}`);
    await pool.end();
  });
}

/** MariaDB store over a `mysql2` pool of `env.poolSize`, on Express. */
export async function mysqlExpress(env) {
  const mysql = (await import("mysql2/promise")).default;
  const pool = mysql.createPool({ ...env.mysql, connectionLimit: env.poolSize });
  const tableName = `${env.runId}_lk`;
  const { createMySQLStore } = await import("latchkey/mysql");
  const store = await createMySQLStore({ pool, tableName, migrate: true });
  return withStore(store, env, expressApp, async () => {
    await store.close?.();
    await pool.query(`DROP TABLE IF EXISTS ${tableName}`);
    await pool.end();
  });
}

/** SQLite store over better-sqlite3 (a file in the run's temporary directory), on Express. */
export async function sqliteExpress(env) {
  const Database = (await import("better-sqlite3")).default;
  const db = new Database(env.sqlitePath, { timeout: 2000 });
  db.pragma("journal_mode = WAL");
  const { createSQLiteStore } = await import("latchkey/sqlite");
  const store = await createSQLiteStore({ database: db, migrate: true });
  return withStore(store, env, expressApp, async () => {
    await store.close?.();
    db.close();
  });
}
