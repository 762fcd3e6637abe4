/**
 * The issue's targets, checked against one run's medians (ratios only from the same run), and
 * the per-scenario medians the report and the targets share.
 */
import { median, ratio, spreadPercent } from "./stats.mjs";

/** Median requests/s, p50 and p99 (ms) and the spread of the rounds for one scenario. */
export function summary(http, name) {
  const rounds = http?.rounds?.[name];
  if (!rounds || rounds.length === 0) return null;
  const rps = rounds.map((r) => r.rps);
  return {
    rps: median(rps),
    spread: spreadPercent(rps),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    rounds: rps,
    cpuUs: median(rounds.map((r) => r.serverCpuUsPerRequest)),
    foreign: median(rounds.map((r) => r.foreignCore)),
    disturbed: rounds.filter((r) => r.disturbed).length,
    retries: rounds.reduce((a, r) => a + (r.attempts ?? 1) - 1, 0),
    non2xx: rounds.reduce((a, r) => a + (r.non2xx || 0), 0),
    errors: rounds.reduce((a, r) => a + (r.errors || 0), 0),
  };
}

function throughputTarget(results, scenario, base, floor, name) {
  const a = summary(results.http, scenario);
  const b = summary(results.http, base);
  const value = ratio(a?.rps, b?.rps);
  return {
    name,
    scenario,
    measured: Number.isFinite(value)
      ? `${value.toFixed(2)}× (${Math.round(a.rps)} vs ${Math.round(b.rps)} req/s)`
      : "not measured",
    met: Number.isFinite(value) ? value >= floor : null,
  };
}

function countTarget(results, scenario, name, check) {
  const counts = results.counts?.[scenario]?.validated;
  if (!counts || counts.error)
    return { name, scenario, measured: counts?.error ?? "not measured", met: null };
  const { met, text } = check(counts);
  return { name, scenario, measured: text, met };
}

/** Every target of issue 5, each `{ name, scenario, measured, met }` (`met` null: not measured). */
export function evaluateTargets(results) {
  const targets = [
    throughputTarget(
      results,
      "lk-memory-node",
      "node-bare",
      0.75,
      "memory store on Node http ≥ 0.75 × bare Node",
    ),
    throughputTarget(
      results,
      "lk-memory-express",
      "express-bare",
      0.85,
      "memory store on Express ≥ 0.85 × bare Express",
    ),
    throughputTarget(
      results,
      "lk-memory-fetch",
      "fetch-bare",
      0.85,
      "memory store on Fetch ≥ 0.85 × bare Fetch handler",
    ),
    throughputTarget(
      results,
      "lk-redis-noderedis-express",
      "express-bare",
      0.8,
      "Redis store (node-redis) on Express ≥ 0.80 × bare Express",
    ),
    throughputTarget(
      results,
      "lk-redis-ioredis-express",
      "express-bare",
      0.8,
      "Redis store (ioredis) on Express ≥ 0.80 × bare Express",
    ),
    countTarget(
      results,
      "lk-redis-noderedis-express",
      "Redis store: 1 command per validated request",
      (c) => ({
        met: Math.abs(c.total - 1) < 0.01,
        text: `${c.total.toFixed(2)} (${Object.entries(c.perRequest)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(", ")})`,
      }),
    ),
    throughputTarget(
      results,
      "lk-redis-noderedis-node",
      "iron-node",
      3,
      "Redis store on Node http ≥ 3 × iron-session",
    ),
    throughputTarget(
      results,
      "lk-pg-express",
      "express-bare",
      0.7,
      "PostgreSQL store on Express ≥ 0.70 × bare Express",
    ),
    countTarget(
      results,
      "lk-pg-express",
      "PostgreSQL store: 1 statement, no write per validated request",
      (c) => ({
        met: Math.abs(c.total - 1) < 0.01 && c.writes === 0,
        text: `${c.total.toFixed(2)} statements, ${c.writes.toFixed(2)} writes (${Object.entries(
          c.perRequest,
        )
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(", ")})`,
      }),
    ),
  ];

  const lk = results.memory?.latchkey?.bytesPerSession;
  const es = results.memory?.["express-session"]?.bytesPerSession;
  targets.push({
    name: "memory store: bytes per live session ≤ express-session MemoryStore",
    scenario: null,
    measured:
      Number.isFinite(lk) && Number.isFinite(es)
        ? `${Math.round(lk)} vs ${Math.round(es)} bytes`
        : "not measured",
    met: Number.isFinite(lk) && Number.isFinite(es) ? lk <= es : null,
  });

  const scale = results.scale?.results;
  const first = scale?.[0];
  const last = scale?.[scale.length - 1];
  const growth = first && last ? last.validateNs / first.validateNs : NaN;
  targets.push({
    name: `validate cost flat (within 20 %) from ${first?.size ?? "1 000"} to ${last?.size ?? "1 000 000"} live sessions`,
    scenario: null,
    measured: Number.isFinite(growth)
      ? `${growth.toFixed(2)}× (${Math.round(first.validateNs)} → ${Math.round(last.validateNs)} ns)`
      : "not measured",
    met: Number.isFinite(growth) && last.size >= 1_000_000 ? growth <= 1.2 : null,
  });

  // Any latchkey scenario slower than its peer gets a profile too.
  for (const [scenario, peer] of [
    ["lk-memory-express", "es-memory"],
    ["lk-redis-noderedis-express", "es-redis"],
    ["lk-pg-express", "es-pg"],
  ]) {
    const a = summary(results.http, scenario);
    const b = summary(results.http, peer);
    const value = ratio(a?.rps, b?.rps);
    targets.push({
      name: `${scenario} not slower than ${peer}`,
      scenario,
      measured: Number.isFinite(value) ? `${value.toFixed(2)}×` : "not measured",
      met: Number.isFinite(value) ? value >= 1 : null,
    });
  }
  return targets;
}
