/**
 * The round-trip floor as a Node process sees it: one client, one request in flight, through the
 * same drivers the stores use (node-redis GET, ioredis GET, pg `SELECT 1`, mysql2 `SELECT 1`,
 * better-sqlite3 `SELECT 1`). Each loop is bounded in count and time. Prints one JSON line.
 * Input: one JSON argument `{ redisUrl, pg, mysql, count, maxMs }`.
 */
import { performance } from "node:perf_hooks";

const { redisUrl, pg: pgConfig, mysql: mysqlConfig, count, maxMs } = JSON.parse(process.argv[2]);

async function loop(name, op) {
  for (let i = 0; i < 200; i++) await op(); // Warm-up: connections, JIT, prepared paths.
  const deadline = performance.now() + maxMs;
  const start = performance.now();
  let done = 0;
  while (done < count && performance.now() < deadline) {
    await op();
    done++;
  }
  const elapsed = performance.now() - start;
  return { name, ops: done, usPerOp: (elapsed * 1000) / done };
}

const results = [];
async function attempt(name, fn) {
  try {
    results.push(await fn());
  } catch (error) {
    results.push({ name, error: String(error?.message ?? error) });
  }
}

await attempt("node-redis GET", async () => {
  const { createClient } = await import("redis");
  const client = createClient({ url: redisUrl });
  await client.connect();
  await client.set("bench:floor", "x");
  const r = await loop("node-redis GET", () => client.get("bench:floor"));
  await client.del("bench:floor");
  await client.quit();
  return r;
});

await attempt("ioredis GET", async () => {
  const { Redis } = await import("ioredis");
  const client = new Redis(redisUrl, { lazyConnect: true });
  await client.connect();
  await client.set("bench:floor", "x");
  const r = await loop("ioredis GET", () => client.get("bench:floor"));
  await client.del("bench:floor");
  await client.quit();
  return r;
});

await attempt("pg SELECT 1", async () => {
  const pg = (await import("pg")).default;
  const client = new pg.Client(pgConfig);
  await client.connect();
  const r = await loop("pg SELECT 1", () => client.query("SELECT 1"));
  await client.end();
  return r;
});

await attempt("mysql2 SELECT 1", async () => {
  const mysql = (await import("mysql2/promise")).default;
  const connection = await mysql.createConnection(mysqlConfig);
  const r = await loop("mysql2 SELECT 1", () => connection.query("SELECT 1"));
  await connection.end();
  return r;
});

await attempt("better-sqlite3 SELECT 1", async () => {
  const Database = (await import("better-sqlite3")).default;
  const db = new Database(":memory:");
  const statement = db.prepare("SELECT 1");
  const r = await loop("better-sqlite3 SELECT 1", async () => statement.get());
  db.close();
  return r;
});

process.stdout.write(JSON.stringify(results) + "\n");
