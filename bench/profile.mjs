/**
 * Profiles one scenario by hand: `node bench/profile.mjs <scenario> [seconds]` starts its server
 * (pinned like in the run) under `--cpu-prof`, loads it for `seconds` (default 5) after a 1 s
 * warm-up, and prints the self-time summary. The profile stays in .tmp/bench-profiles/manual/.
 * Needs the scenario's store server like `npm run bench` does (Redis: pass BENCH_REDIS_URL,
 * default redis://127.0.0.1:6379 with a unique prefix).
 */
import { mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLoad } from "./lib/load.mjs";
import { CAN_PIN, pinned, startReady, stopChild } from "./lib/proc.mjs";
import { summariseProfile } from "./lib/profile.mjs";
import { MYSQL, PG } from "./lib/services.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const [name, secondsText = "5"] = process.argv.slice(2);
const seconds = Number(secondsText);
const dir = join(ROOT, ".tmp/bench-profiles/manual", `${name}-${Date.now().toString(36)}`);
mkdirSync(dir, { recursive: true });
const runId = `bench_prof_${Date.now().toString(36)}`;

const env = {
  runId,
  redisUrl: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
  pg: PG,
  mysql: MYSQL,
  poolSize: 10,
  sqlitePath: join(dir, "sqlite.db"),
};
const { command, args } = pinned(CAN_PIN ? 0 : null, process.execPath, [
  "--cpu-prof",
  `--cpu-prof-dir=${dir}`,
  join(ROOT, "bench/servers/server.mjs"),
  name,
]);
const server = await startReady(command, args, {
  env: { BENCH_PORT: "0", BENCH_ENV: JSON.stringify(env), NODE_ENV: "production" },
  label: name,
});
const run = {
  url: `http://127.0.0.1:${server.ready.port}/me`,
  cookie: server.ready.cookie,
  connections: 32,
  core: CAN_PIN ? 1 : null,
};
await runLoad({ ...run, durationS: 1 });
const result = await runLoad({ ...run, durationS: seconds });
await stopChild(server.child, 15_000);

const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
const summary = summariseProfile(join(dir, file), 30);
console.log(
  `${name}: ${Math.round(result.rps)} req/s, p50 ${result.p50Ms} ms; profile ${join(dir, file)}`,
);
console.log(`idle ${summary.idlePercent.toFixed(1)} %`);
for (const g of summary.groups)
  console.log(`${g.percentOfBusy.toFixed(1).padStart(5)} %  ${g.group}`);
console.log("");
for (const t of summary.top) console.log(`${t.percentOfBusy.toFixed(1).padStart(5)} %  ${t.fn}`);
