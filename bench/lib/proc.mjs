/**
 * Child-process helpers: start a process pinned to a core (when `taskset` is there), wait for its
 * one-line JSON "ready" message with a bounded timeout, and stop it by its own pid.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";

const TASKSET = ["/usr/bin/taskset", "/bin/taskset"].find((p) => existsSync(p)) ?? null;

/** The number of online CPUs as Linux reports them. */
export function cpuCount() {
  try {
    return Number(execFileSync("nproc", { encoding: "utf8" }).trim()) || 1;
  } catch {
    return 1;
  }
}

/** Whether pinning is possible: `taskset` exists and there are at least two cores. */
export const CAN_PIN = TASKSET !== null && cpuCount() >= 2;

/** The command and arguments that run `command args` pinned to `core` (or unpinned). */
export function pinned(core, command, args) {
  if (!CAN_PIN || core === null) return { command, args };
  return { command: TASKSET, args: ["-c", String(core), command, ...args] };
}

/**
 * Starts a process and resolves with `{ child, ready }` once it prints a JSON line holding
 * `"ready": true`. Rejects after `timeoutMs`, or when the process exits first (its stderr tail
 * is in the message).
 */
export function startReady(command, args, { env = {}, timeoutMs = 20_000, label = command } = {}) {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => {
      stopChild(child);
      reject(new Error(`${label}: not ready after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);

    child.stdout.on("data", (chunk) => {
      buffer += chunk.toString();
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith("{")) continue;
        try {
          const message = JSON.parse(line);
          if (message.ready === true) {
            clearTimeout(timer);
            resolve({ child, ready: message, stderr: () => stderr });
          }
        } catch {
          // Not our message; keep reading.
        }
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label}: exited (${code ?? signal}) before it was ready\n${stderr}`));
    });
  });
}

/**
 * Stops a child we started: SIGTERM (the servers exit cleanly on it, which also writes a CPU
 * profile), then SIGKILL after `graceMs`. Resolves when it has exited.
 */
export function stopChild(child, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Runs a command to completion with a time limit; resolves `{ code, stdout, stderr }`. */
export function runToEnd(command, args, { timeoutMs = 60_000, env = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c.toString()));
    child.stderr.on("data", (c) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(error) });
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr });
    });
  });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
