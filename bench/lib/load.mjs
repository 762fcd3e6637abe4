/**
 * The load generator, always in a separate process pinned to the load core: `wrk` when it is
 * installed (Debian's `wrk` package), otherwise autocannon from node_modules in a child Node
 * process. Both run a closed loop of `connections` keep-alive connections for `durationS`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { pinned, runToEnd } from "./proc.mjs";

const WRK = ["/usr/bin/wrk", "/usr/local/bin/wrk"].find((p) => existsSync(p)) ?? null;
const AUTOCANNON_WORKER = fileURLToPath(new URL("./autocannon-worker.mjs", import.meta.url));

/** Which load tool this run uses. */
export const LOAD_TOOL = WRK !== null ? "wrk" : "autocannon";

const UNIT_MS = { us: 0.001, ms: 1, s: 1000 };

function parseDurationMs(text) {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2]] : NaN;
}

function parseWrk(stdout) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  const p50 = parseDurationMs(/^\s+50%\s+(\S+)/m.exec(stdout)?.[1] ?? "");
  const p99 = parseDurationMs(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? "");
  const total = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    stdout,
  );
  const errors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return { rps, p50Ms: p50, p99Ms: p99, total, non2xx, errors };
}

/**
 * Runs one bounded load round against `url` with the given `Cookie` header value.
 * @returns `{ rps, p50Ms, p99Ms, total, non2xx, errors }` (`rps` is NaN when the tool failed).
 */
export async function runLoad({ url, cookie, connections, durationS, core }) {
  const timeoutMs = (durationS + 20) * 1000;

  if (WRK !== null) {
    const args = ["-t1", `-c${connections}`, `-d${durationS}s`, "--latency", "--timeout", "5s"];
    args.push("-H", `Cookie: ${cookie}`, url);
    const { command, args: full } = pinned(core, WRK, args);
    const { code, stdout, stderr } = await runToEnd(command, full, { timeoutMs });
    if (code !== 0) return { ...parseWrk(""), failure: stderr.slice(-500) };
    return parseWrk(stdout);
  }

  const input = JSON.stringify({ url, cookie, connections, durationS });
  const { command, args } = pinned(core, process.execPath, [AUTOCANNON_WORKER, input]);
  const { code, stdout, stderr } = await runToEnd(command, args, { timeoutMs });
  if (code !== 0) return { ...parseWrk(""), failure: stderr.slice(-500) };
  return JSON.parse(stdout.trim().split("\n").pop());
}
