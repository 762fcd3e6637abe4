/**
 * The store servers: a redis-server of the bench's own (pinned to the store core, no
 * persistence, shut down at the end) so that MONITOR sees only the bench's commands, plus
 * readiness checks for the machine's PostgreSQL and MariaDB, and optional pinning of those to
 * the store core for the duration of the run (their previous affinity is restored).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { spawn } from "node:child_process";
import { pinned, sleep, stopChild } from "./proc.mjs";

const require = createRequire(import.meta.url);

/** Connection settings of the machine's SQL servers (the developers' guide). */
export const PG = { host: "127.0.0.1", port: 5432, user: "postgres", database: "test" };
export const MYSQL = {
  host: "127.0.0.1",
  port: 3306,
  user: "root",
  password: "",
  database: "test",
};

const REDIS_BIN = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((p) =>
  existsSync(p),
);

/**
 * Starts the bench's own redis-server on `port`, pinned to `core`.
 * @returns `{ url, stop, info(section) }`, or `null` when redis-server is not installed.
 */
export async function startRedis(port, core) {
  if (REDIS_BIN === undefined) return null;
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--protected-mode",
    "yes",
    "--daemonize",
    "no",
    "--loglevel",
    "warning",
  ];
  const { command, args: full } = pinned(core, REDIS_BIN, args);
  const child = spawn(command, full, { stdio: "ignore" });
  const { createClient } = await import("redis");
  const url = `redis://127.0.0.1:${port}`;
  const admin = createClient({ url });
  admin.on("error", () => {});

  const deadline = Date.now() + 10_000;
  while (true) {
    try {
      await admin.connect();
      await admin.ping();
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill("SIGKILL");
        throw new Error(`bench redis-server did not start on ${port}: ${error}`);
      }
      await sleep(100);
    }
  }

  return {
    url,
    version: (await admin.info("server")).match(/redis_version:(\S+)/)?.[1] ?? "?",
    /**
     * Watches every command with MONITOR (redis-cli, a separate process) until `stop()`, which
     * resolves `{ client, script }`: counts of the commands clients sent (the round trips) and
     * of those run inside Lua scripts (by EVALSHA), by name.
     */
    async monitor() {
      const watcher = spawn("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "monitor"], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      let text = "";
      watcher.stdout.on("data", (chunk) => (text += chunk.toString()));
      const waitFor = async (marker) => {
        const until = Date.now() + 5_000;
        while (!text.includes(marker) && Date.now() < until) await sleep(20);
      };
      const started = `bench-monitor-start-${Math.random()}`;
      await waitFor("OK");
      await admin.echo(started);
      await waitFor(started);
      return {
        async stop() {
          const marker = `bench-monitor-stop-${Math.random()}`;
          await admin.echo(marker);
          await waitFor(marker);
          watcher.kill("SIGTERM");
          const body = text.slice(text.indexOf(started) + started.length, text.indexOf(marker));
          const client = {};
          const script = {};
          for (const match of body.matchAll(/^\S+ \[\d+ ([^\]]+)\] "([^"]+)"/gm)) {
            const target = match[1] === "lua" ? script : client;
            const name = match[2].toUpperCase();
            if (name === "ECHO") continue;
            target[name] = (target[name] ?? 0) + 1;
          }
          return { client, script };
        },
      };
    },
    async stop() {
      try {
        await admin.quit();
      } catch {
        // Already gone.
      }
      await stopChild(child, 3_000);
    },
  };
}

/** Whether PostgreSQL answers; resolves its version string or `null`. */
export async function checkPostgres() {
  const pg = require("pg");
  const client = new pg.Client({ ...PG, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const { rows } = await client.query("SHOW server_version");
    return rows[0].server_version;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Whether MariaDB/MySQL answers; resolves its version string or `null`. */
export async function checkMysql() {
  const mysql = require("mysql2/promise");
  let connection;
  try {
    connection = await mysql.createConnection({ ...MYSQL, connectTimeout: 3_000 });
    const [rows] = await connection.query("SELECT VERSION() AS v");
    return rows[0].v;
  } catch {
    return null;
  } finally {
    await connection?.end().catch(() => {});
  }
}

function postmasterPid() {
  try {
    for (const version of readdirSync("/var/lib/postgresql")) {
      const file = `/var/lib/postgresql/${version}/main/postmaster.pid`;
      if (existsSync(file)) return Number(readFileSync(file, "utf8").split("\n")[0]);
    }
  } catch {
    // No local cluster directory.
  }
  return null;
}

function pidOf(name) {
  try {
    return Number(execFileSync("pgrep", ["-xo", name], { encoding: "utf8" }).trim()) || null;
  } catch {
    return null;
  }
}

function affinity(pid) {
  return execFileSync("taskset", ["-p", String(pid)], { encoding: "utf8" })
    .trim()
    .split(": ")
    .pop();
}

/**
 * Pins the machine's PostgreSQL postmaster (new backends inherit it) and all MariaDB threads to
 * `core`. @returns a function that restores the previous masks; it never throws.
 */
export function pinStoreServers(core) {
  const restored = [];
  for (const pid of [postmasterPid(), pidOf("mariadbd") ?? pidOf("mysqld")]) {
    if (pid === null) continue;
    try {
      const mask = affinity(pid);
      execFileSync("taskset", ["-a", "-p", "-c", String(core), String(pid)], { stdio: "ignore" });
      restored.push({ pid, mask });
    } catch {
      // Not permitted or gone: leave it unpinned.
    }
  }
  return {
    pinned: restored.map((r) => r.pid),
    restore() {
      for (const { pid, mask } of restored) {
        try {
          execFileSync("taskset", ["-a", "-p", mask, String(pid)], { stdio: "ignore" });
        } catch {
          // Gone meanwhile.
        }
      }
    },
  };
}
