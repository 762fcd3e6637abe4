/**
 * One benchmark server: `node bench/servers/server.mjs <scenario>`. Listens on 127.0.0.1 only,
 * at BENCH_PORT, and prints one JSON line `{ ready, port, cookie }` once it can serve an
 * authenticated `GET /me` with that cookie. With BENCH_COUNT=1 it also counts SQL statements
 * and serves `/__bench/stats` and `/__bench/reset`. Exits cleanly on SIGTERM (dropping its
 * tables and keys), which is also what writes a `--cpu-prof` profile.
 */
import { createServer } from "node:http";
import {
  countMysql,
  countPg,
  countSqlite,
  resetStatementCounts,
  statementCounts,
} from "../lib/counting.mjs";
import { SCENARIOS } from "./registry.mjs";

const name = process.argv[2];
const scenario = SCENARIOS[name];
if (scenario === undefined) {
  process.stderr.write(`unknown scenario ${name}\n`);
  process.exit(2);
}

const env = JSON.parse(process.env.BENCH_ENV ?? "{}");
const counting = process.env.BENCH_COUNT === "1";
if (counting) {
  if (scenario.store === "pg") countPg();
  if (scenario.store === "mysql") countMysql();
  if (scenario.store === "sqlite") countSqlite();
}

const built = await scenario.setup(env);
let listener = built.handler;
if (counting) {
  const inner = listener;
  listener = (req, res) => {
    if (req.url === "/__bench/stats") return res.end(JSON.stringify(statementCounts()));
    if (req.url === "/__bench/reset") {
      resetStatementCounts();
      return res.end("{}");
    }
    return inner(req, res);
  };
}

const server = createServer({ keepAliveTimeout: 30_000 }, listener);
await new Promise((resolve) =>
  server.listen(Number(process.env.BENCH_PORT ?? 0), "127.0.0.1", resolve),
);
const port = server.address().port;
const baseUrl = `http://127.0.0.1:${port}`;

const cookie = built.cookie ?? (built.login ? await built.login(baseUrl) : "__Host-sid=none");

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  server.closeAllConnections?.();
  server.close();
  try {
    await built.close?.();
  } catch (error) {
    process.stderr.write(`cleanup of ${name} failed: ${error}\n`);
  }
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

process.stdout.write(JSON.stringify({ ready: true, port, cookie, pid: process.pid }) + "\n");
