/**
 * Writes bench/RESULTS.md (machine, versions, date and every table of one run) and
 * docs/bench-summary.md (the key ratios, for the README). The hand-written analysis in
 * bench/analysis.md, when present, is appended to RESULTS.md as it is.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SCENARIOS } from "../servers/registry.mjs";
import { fmt, fmtInt, fmtRatio, fmtSpread, ratio, table } from "./stats.mjs";
import { summary } from "./targets.mjs";

const CEILING = { node: "node-bare", express: "express-bare", fetch: "fetch-bare" };

function peerOf(name) {
  const scenario = SCENARIOS[name];
  return scenario.peer ?? null;
}

function httpTables(results) {
  const names = Object.keys(results.http.rounds);
  const node = summary(results.http, "node-bare");
  const exp = summary(results.http, "express-bare");
  const throughput = [];
  const latency = [];
  for (const name of names) {
    const s = summary(results.http, name);
    const shape = SCENARIOS[name].shape;
    const ceiling = summary(results.http, CEILING[shape]);
    const peerName = peerOf(name);
    const peer = peerName ? summary(results.http, peerName) : null;
    const flags = [];
    if (s.non2xx > 0) flags.push(`${s.non2xx} non-2xx`);
    if (s.errors > 0) flags.push(`${s.errors} socket errors`);
    if (s.disturbed > 0) flags.push(`${s.disturbed} round(s) still disturbed`);
    if (s.retries > 0) flags.push(`${s.retries} re-run(s)`);
    throughput.push([
      `${SCENARIOS[name].label} (\`${name}\`)`,
      fmtInt(s.rps),
      fmtSpread(s.spread),
      s.rounds.map((r) => fmtInt(r)).join(" / "),
      fmtRatio(ratio(s.rps, node?.rps)),
      fmtRatio(ratio(s.rps, exp?.rps)),
      shape === "node" ? "—" : `${fmtRatio(ratio(s.rps, ceiling?.rps))} (${CEILING[shape]})`,
      peer ? `${fmtRatio(ratio(s.rps, peer.rps))} (${peerName})` : "—",
      fmt(s.cpuUs, 1),
      Number.isFinite(s.foreign) ? `${fmt(s.foreign * 100, 0)} %` : "—",
      flags.join(", ") || "ok",
    ]);
    latency.push([
      `\`${name}\``,
      fmt(s.p50Ms, 3),
      fmt(s.p99Ms, 3),
      `${fmtRatio(ratio(s.p50Ms, node?.p50Ms))} / ${fmtRatio(ratio(s.p99Ms, node?.p99Ms))}`,
      `${fmtRatio(ratio(s.p50Ms, exp?.p50Ms))} / ${fmtRatio(ratio(s.p99Ms, exp?.p99Ms))}`,
      peer
        ? `${fmtRatio(ratio(s.p50Ms, peer.p50Ms))} / ${fmtRatio(ratio(s.p99Ms, peer.p99Ms))} (${peerName})`
        : "—",
    ]);
  }
  return [
    table(
      [
        "Scenario",
        "req/s (median)",
        "spread",
        "rounds",
        "× bare Node",
        "× bare Express",
        "× own ceiling",
        "× peer",
        "server CPU µs/req",
        "other load on server core",
        "checks",
      ],
      throughput,
    ),
    table(
      [
        "Scenario",
        "p50 ms",
        "p99 ms",
        "p50 / p99 × bare Node",
        "p50 / p99 × bare Express",
        "p50 / p99 × peer",
      ],
      latency,
    ),
  ];
}

function countsTable(results) {
  const rows = [];
  for (const [name, modes] of Object.entries(results.counts ?? {})) {
    const cell = (m) => {
      if (!m) return "—";
      if (m.error) return `failed: ${m.error}`;
      const parts = Object.entries(m.perRequest).map(([k, v]) => `${k} ${fmt(v, 2)}`);
      const inner = Object.entries(m.insideScripts ?? {}).map(([k, v]) => `${k} ${fmt(v, 2)}`);
      const script = inner.length > 0 ? `; inside the script: ${inner.join(", ")}` : "";
      return `**${fmt(m.total, 2)}** (${parts.join(", ") || "none"}); writes ${fmt(m.writes, 2)}${script}`;
    };
    const store = SCENARIOS[name].store;
    const unit =
      store === "redis"
        ? "Redis commands"
        : store === "sqlite"
          ? "SQLite statements (in-process)"
          : "SQL statements";
    const renewed =
      SCENARIOS[name].kind === "latchkey"
        ? cell(modes.renewed)
        : "same as validated (touches every request)";
    rows.push([`\`${name}\``, unit, cell(modes.validated), renewed]);
  }
  return table(["Scenario", "Counted", "Per validated request", "Per renewed request"], rows);
}

function microTable(results) {
  if (!Array.isArray(results.micro)) return `Not measured: ${results.micro?.error ?? "skipped"}`;
  return table(
    ["Operation", "ns/op", "ops/s", "± (rme)"],
    results.micro.map((r) => [
      r.name,
      fmtInt(r.nsPerOp),
      fmtInt(r.opsPerSec),
      `${fmt(r.rmePercent, 1)} %`,
    ]),
  );
}

function memoryTable(results) {
  const m = results.memory;
  if (!m) return "Not measured.";
  const rows = [
    [
      "latchkey MemoryStore (record + secret hash + deadlines + per-user index + expiry queue)",
      m.latchkey,
    ],
    ["express-session MemoryStore (JSON string per session)", m["express-session"]],
    ["floor: plain `Map` of the same record objects", m.map],
  ].map(([label, r]) => [
    label,
    r?.error ? `failed: ${r.error.split("\n")[0]}` : fmtInt(r?.bytesPerSession),
    r?.error ? "—" : fmtInt(r?.rssBytesPerSession),
    r?.runs ? r.runs.map((v) => fmtInt(v)).join(" / ") : "—",
  ]);
  return table(["Store", "heap bytes / session", "RSS bytes / session", "runs (heap)"], rows);
}

function scaleTable(results) {
  const s = results.scale;
  if (!s?.results) return `Not measured: ${s?.error?.split("\n").slice(-3).join(" ") ?? "skipped"}`;
  const base = s.results[0];
  return table(
    [
      "Live sessions",
      "validate ns/op",
      "× at 1 000",
      "store.get ns/op",
      "heap bytes / session",
      "fill time",
    ],
    s.results.map((r) => [
      fmtInt(r.size),
      fmtInt(r.validateNs),
      fmtRatio(r.validateNs / base.validateNs),
      fmtInt(r.getNs),
      fmtInt(r.bytesPerSession),
      `${fmt(r.fillMs / 1000, 1)} s`,
    ]),
  );
}

function floorsTable(results) {
  const f = results.floors;
  if (!f) return "Not measured.";
  const rows = [];
  if (f.redisBenchmark) {
    rows.push([
      "`redis-benchmark -c 1 -t get` (bench redis-server)",
      `${fmt(f.redisBenchmark.avgMs * 1000, 0)} µs avg, p50 ${fmt(f.redisBenchmark.p50Ms * 1000, 0)} µs, p99 ${fmt(f.redisBenchmark.p99Ms * 1000, 0)} µs`,
      fmtInt(f.redisBenchmark.rps),
    ]);
  }
  if (f.pgbench)
    rows.push([
      "`pgbench -c 1` with `SELECT 1`",
      `${fmt(f.pgbench.avgMs * 1000, 0)} µs avg`,
      fmtInt(f.pgbench.tps),
    ]);
  for (const c of f.clients ?? []) {
    rows.push([
      `Node driver, one client: ${c.name}`,
      c.error ? `failed: ${c.error}` : `${fmt(c.usPerOp, 1)} µs`,
      c.error ? "—" : fmtInt(1e6 / c.usPerOp),
    ]);
  }
  return table(["Floor", "round trip", "ops/s"], rows);
}

function targetsTable(results) {
  return table(
    ["Target", "Measured (this run)", "Met"],
    results.targets.map((t) => [
      t.name,
      t.measured,
      t.met === true ? "yes" : t.met === false ? "**no**" : "n/a",
    ]),
  );
}

function profilesSection(results) {
  const entries = Object.entries(results.profiles ?? {});
  if (entries.length === 0)
    return "No latchkey scenario missed a throughput target in this run, so none was profiled.";
  const parts = [];
  for (const [name, p] of entries) {
    if (p.error) {
      parts.push(`#### \`${name}\`\n\nProfile failed: ${p.error}`);
      continue;
    }
    parts.push(
      `#### \`${name}\` (${fmt(p.totalMs / 1000, 1)} s sampled, ${fmt(p.idlePercent, 0)} % idle)\n\n` +
        table(
          ["Bucket", "% of busy time"],
          p.groups.map((g) => [g.group, fmt(g.percentOfBusy, 1)]),
        ) +
        "\n\n" +
        table(
          ["Function (self time)", "% of busy time"],
          p.top.map((t) => [`\`${t.fn}\``, fmt(t.percentOfBusy, 1)]),
        ),
    );
  }
  return parts.join("\n\n");
}

function machineSection(results) {
  const m = results.machine;
  const pkgs = Object.entries(m.packages)
    .map(([k, v]) => `${k} ${v ?? "absent"}`)
    .join(", ");
  const cpu = results.http?.cpu;
  return [
    `- Date: ${results.startedAt} (run \`${results.runId}\`, ${fmt(results.elapsedS / 60, 1)} min end to end)`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os ?? "Linux"}, kernel ${m.kernel}`,
    `- Node ${m.node}; latchkey ${m.latchkey} at commit ${m.commit ?? "?"} (working tree, built dist/)`,
    `- Servers: Redis ${m.redis ?? "absent"} (the bench's own redis-server, no persistence), PostgreSQL ${m.postgres ?? "absent"}, MariaDB ${m.mariadb ?? "absent"}, SQLite via better-sqlite3 (WAL, a file in the temp dir)`,
    `- Load tool: ${m.loadTool}, 1 thread, ${results.config.connections} keep-alive connections, ${results.config.rounds} interleaved rounds × ${results.config.durationS} s after a ${results.config.warmupS} s warm-up per scenario`,
    `- Pinning: ${results.config.serverCore === null ? "off (fewer than two cores or no taskset)" : `each server on core ${results.config.serverCore}; load tool, redis-server, PostgreSQL and MariaDB on core ${results.config.loadCore}`}`,
    cpu
      ? `- CPU during the HTTP rounds: ${fmt(cpu.stealPercent, 1)} % stolen by the hypervisor, ${fmt(cpu.idlePercent, 1)} % idle (both cores)`
      : null,
    `- Packages: ${pkgs}`,
  ]
    .filter(Boolean)
    .join("\n");
}

/** Writes both Markdown files for `results`. */
export function writeReport(root, results) {
  const skipped = results.skipped.length
    ? results.skipped.map((s) => `- \`${s.name}\`: ${s.reason}`).join("\n")
    : "None.";
  const failed = results.http?.failures?.length
    ? results.http.failures.map((f) => `- \`${f.name}\`: ${f.reason}`).join("\n")
    : "None.";
  const [throughput, latency] = results.http ? httpTables(results) : ["Not measured.", ""];
  const analysisFile = join(root, "bench/analysis.md");
  const analysis = existsSync(analysisFile) ? readFileSync(analysisFile, "utf8").trim() : "";

  const text = `# Benchmark results

Generated by \`npm run bench\` (bench/run.mjs). Every number below comes from one run on one
machine; compare ratios within this run only. Scenarios were interleaved round by round; each
figure is the median of the rounds, with the spread (half the range of the rounds, as a percent
of the median) beside it.

## Machine and versions

${machineSection(results)}

Scenarios skipped: ${skipped === "None." ? "none." : `\n\n${skipped}`}

Scenarios that failed to start: ${failed === "None." ? "none." : `\n\n${failed}`}

## Targets

${targetsTable(results)}

## 1. HTTP: authenticated \`GET /me\`

Each server reads the user id from the session (401 without one) and answers
\`{"userId":"user-1"}\`; the load tool sends a valid session cookie on every request. latchkey
runs with its default renewal interval (60 s), so a renewal write is rare here; see part 2 for
its cost. Pools: 10 connections for both connect-pg-simple and latchkey's SQL stores.

${throughput}

"server CPU µs/req" is the server process's own CPU time (user + system, all its threads) per
completed request: unlike req/s it does not count time the server spent waiting for a core, so
it is the steadier measure of what each library costs when the machine is shared. "Other load"
is the median share of the server's core that other processes used during the rounds; a round
with more than ${fmt(results.config.maxForeign * 100, 0)} % was run again (at most ${results.config.maxAttempts} attempts, the cleanest kept).

Latency (closed loop, ${results.config.connections} connections, so latency ≈ connections / throughput):

${latency}

## 2. Store round trips per request

Counted over ${results.config.countRequests} sequential requests after a warm-up: Redis with
MONITOR on the bench's own redis-server (which serves nothing else; commands a Lua script runs
are listed apart, since they cost no round trip), SQL at the driver's lowest per-statement call
in the server process (pg \`Client.query\`, mysql2 \`addCommand\`, with a cached prepare not
counted, better-sqlite3 statement calls; SQLite's are in-process calls, not round trips). "Renewed" runs latchkey with a 1 ms renewal
interval and requests 2 ms apart, so every request renews.

${countsTable(results)}

## 3. In-process cost of one validate (memory store, tinybench)

${microTable(results)}

The parts are measured alone with the same calls the core makes: the cookie scan is the
exported \`findSessionCookieValues\`, the hash is @oslojs SHA-256 + base64url + constant-time
compare, the lookup is \`MemoryStore.get\` (which returns a copy). Timed with the process's CPU
time (\`process.cpuUsage\`), in batches (1 000 synchronous or 200 awaited operations per sample).

## 4. Memory per live session and validate cost by store size

${results.config.memorySessions.toLocaleString("en-US")} sessions, payload: user id and \`{ role: "member" }\`,
heap measured after forced GCs (median of 3 processes):

${memoryTable(results)}

Validate cost as the memory store grows (tokens drawn at random from all live sessions):

${scaleTable(results)}

## 5. Physical floor on this machine

${floorsTable(results)}

## Profiles

${profilesSection(results)}
${analysis ? `\n## Analysis\n\n${analysis}\n` : ""}`;
  writeFileSync(join(root, "bench/RESULTS.md"), text);
  writeSummary(root, results);
}

function writeSummary(root, results) {
  const get = (name) => summary(results.http, name);
  const r = (a, b) => fmtRatio(ratio(get(a)?.rps, get(b)?.rps));
  const rows = [
    [
      "Memory store, Node http",
      r("lk-memory-node", "node-bare") + " bare Node",
      r("lk-memory-node", "es-memory") + " express-session (MemoryStore)",
    ],
    [
      "Memory store, Express",
      r("lk-memory-express", "express-bare") + " bare Express",
      r("lk-memory-express", "es-memory") + " express-session (MemoryStore)",
    ],
    ["Memory store, Fetch", r("lk-memory-fetch", "fetch-bare") + " bare Fetch", "—"],
    [
      "Redis (node-redis), Express",
      r("lk-redis-noderedis-express", "express-bare") + " bare Express",
      r("lk-redis-noderedis-express", "es-redis") + " connect-redis",
    ],
    [
      "Redis (ioredis), Express",
      r("lk-redis-ioredis-express", "express-bare") + " bare Express",
      r("lk-redis-ioredis-express", "es-redis") + " connect-redis",
    ],
    [
      "Redis (node-redis), Node http",
      r("lk-redis-noderedis-node", "node-bare") + " bare Node",
      r("lk-redis-noderedis-node", "iron-node") + " iron-session",
    ],
    [
      "PostgreSQL, Express",
      r("lk-pg-express", "express-bare") + " bare Express",
      r("lk-pg-express", "es-pg") + " connect-pg-simple",
    ],
    ["MariaDB, Express", r("lk-mysql-express", "express-bare") + " bare Express", "—"],
    ["SQLite, Express", r("lk-sqlite-express", "express-bare") + " bare Express", "—"],
  ];
  const peers = [
    ["express-session + MemoryStore", r("es-memory", "express-bare") + " bare Express"],
    ["express-session + connect-redis", r("es-redis", "express-bare") + " bare Express"],
    ["express-session + connect-pg-simple", r("es-pg", "express-bare") + " bare Express"],
    ["iron-session on Node http", r("iron-node", "node-bare") + " bare Node"],
    ["bare Express 5", r("express-bare", "node-bare") + " bare Node"],
  ];
  const counts = (name, mode) => {
    const c = results.counts?.[name]?.[mode];
    return c && !c.error ? fmt(c.total, 2) : "—";
  };
  const mem = results.memory;
  const scale = results.scale?.results;
  const text = `## Performance

Measured side by side in one run of \`npm run bench\` (${results.startedAt.slice(0, 10)}, ${results.machine.cores} cores,
${results.machine.node}, server on one core, ${results.machine.loadTool.split(" ")[0]} and the store servers on the other;
medians of ${results.config.rounds} interleaved rounds). Throughput of an authenticated \`GET /me\`, as a ratio:

${table(["latchkey", "vs ceiling", "vs what you would use instead"], rows)}

For reference, from the same run:

${table(["Peer", "vs ceiling"], peers)}

Store round trips per validated request (outside a renewal): Redis ${counts("lk-redis-noderedis-express", "validated")}
(connect-redis: ${counts("es-redis", "validated")}), PostgreSQL ${counts("lk-pg-express", "validated")} statements
(connect-pg-simple: ${counts("es-pg", "validated")}); per renewed request: Redis ${counts("lk-redis-noderedis-express", "renewed")},
PostgreSQL ${counts("lk-pg-express", "renewed")}.
Memory store: ${fmtInt(mem?.latchkey?.bytesPerSession)} heap bytes per live session (express-session's MemoryStore:
${fmtInt(mem?.["express-session"]?.bytesPerSession)}); validate cost ${scale ? `${fmtRatio(scale[scale.length - 1].validateNs / scale[0].validateNs)} from ${fmtInt(scale[0].size)} to ${fmtInt(scale[scale.length - 1].size)}` : "—"} live sessions.
Several of issue 5's targets are not met yet; RESULTS.md names the hot spots behind each miss.
Full tables, the spread of the rounds, machine and method: [bench/RESULTS.md](../bench/RESULTS.md).
`;
  mkdirSync(join(root, "docs"), { recursive: true });
  writeFileSync(join(root, "docs/bench-summary.md"), text);
}
