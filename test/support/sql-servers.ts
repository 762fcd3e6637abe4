/**
 * The SQL servers the SQL store suites talk to: readiness probes for the machine's PostgreSQL
 * and MariaDB, connection settings, and a throwaway PostgreSQL server that a fault test starts
 * and stops itself (`initdb` + `pg_ctl` in a temporary directory, on its own port).
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chmod, chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import pg from "pg";
import { freePort } from "./ports.js";
import { serviceAvailable } from "./services.js";

const run = promisify(execFile);

/** The machine's PostgreSQL: trust authentication, database `test`. */
export const POSTGRES_CONFIG = {
  host: "127.0.0.1",
  port: 5432,
  database: "test",
  user: "postgres",
} as const;

/** The machine's MariaDB: root with an empty password, database `test`. */
export const MARIADB_CONFIG = {
  host: "127.0.0.1",
  port: 3306,
  user: "root",
  password: "",
  database: "test",
} as const;

/** Whether PostgreSQL answers; skips loudly (or fails under CI) when it does not. */
export async function postgresAvailable(): Promise<boolean> {
  return serviceAvailable("postgres", async () => {
    const client = new pg.Client({ ...POSTGRES_CONFIG, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
    } finally {
      await client.end().catch(() => undefined);
    }
  });
}

/** Whether MariaDB answers; skips loudly (or fails under CI) when it does not. */
export async function mariadbAvailable(): Promise<boolean> {
  return serviceAvailable("mariadb", async () => {
    const connection = await mysql.createConnection({ ...MARIADB_CONFIG, connectTimeout: 1_000 });
    try {
      await connection.query("SELECT 1");
    } finally {
      await connection.end().catch(() => undefined);
    }
  });
}

/** A PostgreSQL server that a test owns: started, stopped and removed by the test. */
export interface ThrowawayPostgres {
  readonly port: number;
  /** Connection settings for `pg.Pool`. */
  readonly config: { host: string; port: number; database: string; user: string };
  /** Starts the server and waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops the server at once (`-m fast`), dropping its connections. */
  stop(): Promise<void>;
  /** Stops the server if running and deletes its directory. */
  destroy(): Promise<void>;
}

/** The directory of the newest installed PostgreSQL's programs, or `null`. */
export function postgresBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;

  const versions = readdirSync(root)
    .filter((entry) => existsSync(join(root, entry, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], "bin");
}

/**
 * Creates a PostgreSQL cluster in a temporary directory with `initdb` (trust authentication,
 * no fsync) on a free port; `start()` runs it. As root, the programs run as the `postgres`
 * user, which PostgreSQL requires.
 */
export async function createThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error("no PostgreSQL installation under /usr/lib/postgresql");

  const dir = await mkdtemp(join(tmpdir(), "latchkey-pg-"));
  const data = join(dir, "data");
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const exec = (program: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(bin, program), ...args])
      : run(join(bin, program), args);

  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: group } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(group.trim()));
    await chmod(dir, 0o700);
  }
  await exec("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);

  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  let running = false;
  const stop = async (): Promise<void> => {
    await exec("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
    running = false;
  };

  return {
    port,
    config: { host: "127.0.0.1", port, database: "postgres", user: "postgres" },
    async start() {
      await exec("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
      running = true;
    },
    stop,
    async destroy() {
      if (running) await stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
