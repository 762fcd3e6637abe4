/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function, the top
 * entries, and the share of time in broad buckets (latchkey's code, Express and its
 * dependencies, the store drivers, Node internals, GC, idle).
 */
import { readFileSync } from "node:fs";

function bucket(url, name) {
  if (name === "(garbage collector)") return "GC";
  if (name === "(idle)") return "idle";
  if (name === "(program)") return "program (native, unattributed)";
  if (url.includes("/latchkey/dist/") || url.includes("/main/dist/")) return "latchkey";
  if (/node_modules\/(redis|@redis|ioredis|pg|pg-protocol|mysql2|better-sqlite3)/.test(url)) {
    return "store driver";
  }
  if (/node_modules\/(@oslojs)/.test(url)) return "@oslojs (hashing, encoding)";
  if (url.includes("node_modules/")) return "express & other deps";
  if (url.startsWith("node:") || url === "") return "Node internals";
  return "bench harness";
}

function shortUrl(url) {
  const at = url.lastIndexOf("node_modules/");
  if (at >= 0) return url.slice(at + "node_modules/".length);
  const dist = url.indexOf("/dist/");
  if (dist >= 0) return `latchkey${url.slice(dist)}`;
  return url.replace(/^file:\/\/.*\/bench\//, "bench/");
}

/** Reads a profile and returns `{ totalMs, top, buckets }`. */
export function summariseProfile(file, topCount = 15) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
  const selfById = new Map();
  for (const node of profile.nodes) selfById.set(node.id, node);

  const byFunction = new Map();
  const buckets = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || "(anonymous)";
    const key = `${name} ${shortUrl(url)}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
    const group = bucket(url, name);
    buckets.set(group, (buckets.get(group) ?? 0) + hits);
    total += hits;
  }

  const busy = total - (buckets.get("idle") ?? 0);
  const top = [...byFunction.entries()]
    .filter(([key]) => !key.startsWith("(idle)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, topCount)
    .map(([key, hits]) => ({ fn: key, percentOfBusy: (hits / busy) * 100 }));
  const groups = [...buckets.entries()]
    .filter(([group]) => group !== "idle")
    .sort((a, b) => b[1] - a[1])
    .map(([group, hits]) => ({ group, percentOfBusy: (hits / busy) * 100 }));
  return {
    totalMs: (total * interval) / 1000,
    idlePercent: ((buckets.get("idle") ?? 0) / total) * 100,
    top,
    groups,
  };
}
