/**
 * Private `redis-server` processes for tests that must stop, pause or restart a server (fault
 * tests) or need a clean one (command counts, a Cluster). Each server listens on a free
 * loopback port, keeps its files in its own temporary directory, is polled for readiness (no
 * fixed sleep), and is killed and removed by `stop()`, or when the test process exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { waitFor } from "./services.js";

/** A running private server. */
export interface RedisServer {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly dir: string;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops the process (data is lost: no persistence) and keeps the port and directory. */
  kill(): Promise<void>;
  /** Starts the process again on the same port and waits until it answers. */
  restart(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open and nothing answers. */
  pause(): void;
  /** Thaws a paused process (SIGCONT). */
  resume(): void;
  /** Kills the process and removes its directory. */
  stop(): Promise<void>;
}

/** Extra `redis-server` arguments, e.g. cluster mode. */
export interface RedisServerOptions {
  /** Arguments after the defaults; `{dir}` is replaced with the server's directory. */
  args?: string[];
  /** Ask for a second free port, passed as `--cluster-port` (the Cluster bus). */
  clusterBus?: boolean;
  /** Lines of a config file written to the server's directory (Sentinel keeps its state there). */
  config?: string[];
  /** Run as a Sentinel (`--sentinel`); give its `sentinel monitor` line in `config`. */
  sentinel?: boolean;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * Sends one inline command over a fresh connection and returns the reply's text (status,
 * integer, error or bulk string). Rejects after `timeoutMs`.
 */
export function rawCommand(port: number, command: string, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let buffer = "";
    const timer = setTimeout(() => finish(new Error(`no reply to ${command}`)), timeoutMs);

    const finish = (error: Error | null, reply?: string): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error === null) resolve(reply ?? "");
      else reject(error);
    };

    socket.setEncoding("utf8");
    socket.once("error", (error) => finish(error));
    socket.once("connect", () => socket.write(`${command}\r\n`));
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      const reply = parseReply(buffer);
      if (reply !== undefined) finish(null, reply);
    });
  });
}

// The text of one complete RESP reply, or undefined while more bytes are needed.
function parseReply(buffer: string): string | undefined {
  const end = buffer.indexOf("\r\n");
  if (end < 0) return undefined;

  const head = buffer.slice(1, end);
  if (buffer[0] !== "$") return head;
  const length = Number(head);
  if (length < 0) return "";
  const body = buffer.slice(end + 2);
  // Bulk strings here are ASCII (INFO, CLUSTER INFO), so characters count as bytes.
  return body.length >= length + 2 ? body.slice(0, length) : undefined;
}

/** Starts a private server and waits until it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-redis-"));
  const port = await freePort();
  const bus = options.clusterBus === true ? await freePort() : null;
  const configFile = join(dir, "redis.conf");
  writeFileSync(configFile, (options.config ?? []).map((line) => `${line}\n`).join(""));
  const args = [
    configFile,
    ...(options.sentinel === true ? ["--sentinel"] : []),
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--logfile",
    join(dir, "redis.log"),
    ...(bus === null ? [] : ["--cluster-port", String(bus)]),
    ...(options.args ?? []).map((arg) => arg.replaceAll("{dir}", dir)),
  ];
  let child: ChildProcess | null = null;

  const launch = async (): Promise<void> => {
    const started = spawn("redis-server", args, { stdio: "ignore" });
    live.add(started);
    started.once("exit", () => live.delete(started));
    child = started;
    await waitFor(
      `redis-server on port ${port}`,
      async () => started.exitCode === null && (await rawCommand(port, "PING")) === "PONG",
      10_000,
    );
  };

  const kill = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGCONT");
    running.kill("SIGKILL");
    await exited;
  };

  try {
    await launch();
  } catch (error) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    host: "127.0.0.1",
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
