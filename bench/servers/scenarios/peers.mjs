/**
 * The libraries users would pick instead: express-session (MemoryStore, connect-redis with the
 * node-redis client, connect-pg-simple) on Express 5, and iron-session on bare Node `http`.
 * Each `GET /me` reads the user id from the session and answers 401 without one; `GET /login`
 * (used once, at start-up, to get the cookie) signs "user-1" in.
 */
import express from "express";
import session from "express-session";
import { getIronSession, sealData } from "iron-session";
import { notFound } from "./bare.mjs";

const SECRET = "bench-secret-0123456789abcdef0123456789abcdef";
const IDLE_MS = 30 * 60 * 1000;

function expressSessionApp(store) {
  const app = express();
  app.use(
    session({
      secret: SECRET,
      store,
      resave: false,
      saveUninitialized: false,
      // Plain HTTP on loopback: a Secure cookie would never be set. The Max-Age matches
      // latchkey's standard idle timeout, so the stores keep the same TTLs.
      cookie: { httpOnly: true, secure: false, sameSite: "lax", maxAge: IDLE_MS },
    }),
  );
  app.get("/login", (req, res) => {
    req.session.userId = "user-1";
    res.json({ ok: true });
  });
  app.get("/me", (req, res) => {
    const userId = req.session.userId;
    if (typeof userId !== "string") return res.status(401).json({ error: "no session" });
    res.json({ userId });
  });
  return app;
}

async function loginCookie(baseUrl) {
  const response = await fetch(`${baseUrl}/login`);
  const line = response.headers.getSetCookie()[0];
  if (response.status !== 200 || line === undefined) throw new Error("login set no cookie");
  return line.split(";")[0];
}

/** express-session with its MemoryStore (one process). */
export async function esMemory() {
  return { handler: expressSessionApp(new session.MemoryStore()), login: loginCookie };
}

/** express-session with connect-redis 9 over node-redis 5. */
export async function esRedis(env) {
  const { createClient } = await import("redis");
  const { RedisStore } = await import("connect-redis");
  const client = createClient({ url: env.redisUrl });
  await client.connect();
  const prefix = `${env.runId}:es:`;
  const store = new RedisStore({ client, prefix });

  return {
    handler: expressSessionApp(store),
    login: loginCookie,
    async close() {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
        if (keys.length > 0) await client.del(keys);
      }
      await client.quit();
    },
  };
}

/** express-session with connect-pg-simple 10 over a `pg` pool of `env.poolSize`. */
export async function esPg(env) {
  const pg = (await import("pg")).default;
  const connectPg = (await import("connect-pg-simple")).default;
  const pool = new pg.Pool({ ...env.pg, max: env.poolSize, idleTimeoutMillis: 0 });
  const tableName = `${env.runId}_es`;
  const PgStore = connectPg(session);
  const store = new PgStore({
    pool,
    tableName,
    createTableIfMissing: true,
    pruneSessionInterval: false,
  });

  return {
    handler: expressSessionApp(store),
    login: loginCookie,
    async close() {
      await pool.query(`DROP TABLE IF EXISTS "${tableName}"`);
      await pool.end();
    },
  };
}

/** iron-session 8 on bare Node `http`: the session is the sealed cookie itself. */
export async function ironNode() {
  const options = {
    cookieName: "iron",
    password: SECRET,
    cookieOptions: { secure: false, httpOnly: true, sameSite: "lax" },
  };
  const seal = await sealData({ userId: "user-1" }, { password: SECRET, ttl: 14 * 24 * 3600 });

  return {
    cookie: `iron=${seal}`,
    handler(req, res) {
      if (req.url !== "/me") return notFound(res);
      getIronSession(req, res, options).then(
        (ironSession) => {
          const userId = ironSession.userId;
          const ok = typeof userId === "string";
          const body = JSON.stringify(ok ? { userId } : { error: "no session" });
          res.writeHead(ok ? 200 : 401, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          });
          res.end(body);
        },
        (error) => {
          res.statusCode = 500;
          res.end(String(error));
        },
      );
    },
  };
}
