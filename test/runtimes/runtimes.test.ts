/**
 * The runtime smoke suite in `npm test`: runs test/runtimes/run.mjs once per runtime, each as a
 * child process with a bounded timeout, on the built package (`npm test` builds first; this file
 * builds nothing). A runtime that cannot start fails its test.
 */
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";

const RUNNER = new URL("./run.mjs", import.meta.url).pathname;
const RUNTIMES = ["node20", "node22", "node24", "bun", "deno", "workerd"] as const;

// The runner allows 45 s per run, and a pinned Node's first install up to 120 s.
const TIMEOUT_MS = 170_000;

interface Outcome {
  name: string;
  passed: boolean;
  runtime?: string;
  problem: string | null;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
}

function runRuntime(name: string): Promise<{ outcome: Outcome | null; output: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [RUNNER, name, "--json"],
      { encoding: "utf8", timeout: TIMEOUT_MS, maxBuffer: 16 << 20 },
      (_error, stdout, stderr) => {
        const line = stdout.split("\n").find((l) => l.startsWith("SUMMARY "));
        const outcomes = line === undefined ? [] : (JSON.parse(line.slice(8)) as Outcome[]);
        const output = `${stdout.replace(/^SUMMARY .*$/m, "")}\n${stderr}`.trim();
        done({ outcome: outcomes[0] ?? null, output });
      },
    );
  });
}

describe("runtime smoke scenario", () => {
  it.each(RUNTIMES)(
    "passes every check on %s",
    async (name) => {
      const { outcome, output } = await runRuntime(name);

      expect(outcome, output).not.toBeNull();
      expect(outcome?.problem ?? null, output).toBeNull();
      expect(outcome?.checks.filter((c) => !c.ok) ?? [], output).toEqual([]);
      expect(outcome?.checks.length ?? 0, output).toBeGreaterThanOrEqual(15);
      expect(outcome?.passed, output).toBe(true);
    },
    TIMEOUT_MS + 10_000,
  );
});
