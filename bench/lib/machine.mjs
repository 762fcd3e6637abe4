/**
 * What the report says about the machine: CPU, cores, memory, kernel, versions of Node, the
 * libraries and the servers; and the CPU time the hypervisor took (steal) during a phase.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LOAD_TOOL } from "./load.mjs";
import { cpuCount } from "./proc.mjs";

const require = createRequire(import.meta.url);
const PACKAGES = [
  "express",
  "express-session",
  "connect-redis",
  "connect-pg-simple",
  "iron-session",
  "redis",
  "ioredis",
  "pg",
  "mysql2",
  "better-sqlite3",
  "tinybench",
  "autocannon",
  "cookie",
  "@oslojs/crypto",
  "@oslojs/encoding",
];

function quiet(command, args) {
  try {
    return execFileSync(command, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch (error) {
    return String(error.stdout ?? "").trim() || null;
  }
}

function version(name) {
  // Read the file itself: some packages' exports maps do not expose package.json.
  try {
    const root = dirname(dirname(fileURLToPath(import.meta.url)));
    return JSON.parse(readFileSync(join(root, "..", "node_modules", name, "package.json"), "utf8"))
      .version;
  } catch {
    try {
      return require(`${name}/package.json`).version;
    } catch {
      return null;
    }
  }
}

/** A description of the machine and the software versions of this run. */
export async function machineInfo(services) {
  const osRelease = (() => {
    try {
      return /PRETTY_NAME="([^"]+)"/.exec(readFileSync("/etc/os-release", "utf8"))?.[1];
    } catch {
      return null;
    }
  })();
  return {
    cpu: cpus()[0]?.model ?? "?",
    cores: cpuCount(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    os: osRelease,
    node: process.version,
    latchkey: version("latchkey"),
    commit: quiet("git", ["rev-parse", "--short", "HEAD"]),
    loadTool:
      LOAD_TOOL === "wrk"
        ? (quiet("wrk", ["-v"])?.split("\n")[0] ?? "wrk")
        : `autocannon ${version("autocannon")}`,
    redis: services.redis?.version ?? null,
    postgres: services.pg,
    mariadb: services.mysql,
    packages: Object.fromEntries(PACKAGES.map((name) => [name, version(name)])),
  };
}

/** The aggregate CPU line of /proc/stat, in ticks. */
export function cpuTimes() {
  try {
    const fields = readFileSync("/proc/stat", "utf8")
      .split("\n")[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return fields;
  } catch {
    return null;
  }
}

/** Steal and idle time between two `cpuTimes()` readings, as percent of all CPU time. */
export function stealBetween(before, after) {
  if (before === null || after === null) return null;
  const delta = after.map((v, i) => v - before[i]);
  const total = delta.slice(0, 8).reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  // user nice system idle iowait irq softirq steal
  return {
    stealPercent: (delta[7] / total) * 100,
    idlePercent: ((delta[3] + delta[4]) / total) * 100,
  };
}

/** Per-core busy and steal ticks from /proc/stat (`cpu0`, `cpu1`, ...), or null. */
export function coreTicks() {
  try {
    const cores = {};
    for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
      const match = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!match) continue;
      const [user, nice, system, idle, iowait, irq, softirq, steal] = match[2]
        .split(/\s+/)
        .map(Number);
      // irq and softirq are left out of `busy`: at tens of thousands of requests per second the
      // loopback traffic's own softirq work lands on the server's core and is nobody else's.
      cores[match[1]] = {
        busy: user + nice + system,
        irq: irq + softirq,
        idle: idle + iowait,
        steal,
      };
    }
    return cores;
  } catch {
    return null;
  }
}

/** CPU ticks (user + system) a process has used so far, or null when it is gone. */
export function processTicks(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}
