/**
 * The core entry stays under its size limit: scripts/size.mjs bundles each built subpath with
 * its dependencies (cookie, @oslojs/*), minifies and gzips it. Measures dist/ (`npm test` builds
 * first).
 */
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";

const SCRIPT = new URL("../../scripts/size.mjs", import.meta.url).pathname;

interface SizeRow {
  name: string;
  gzipBytes: number;
  limit: number | null;
  inputs: Array<{ path: string; bytes: number }>;
}

function measure(): Promise<SizeRow[]> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [SCRIPT, "--json"], { encoding: "utf8" }, (error, stdout, stderr) =>
      error ? fail(new Error(stderr)) : done(JSON.parse(stdout) as SizeRow[]),
    );
  });
}

describe("scripts/size.mjs", () => {
  it("keeps the core entry, dependencies included, within its 19 KB gzipped budget", async () => {
    const rows = await measure();
    const core = rows.find((row) => row.name === "latchkey");
    const largest = core?.inputs.slice(0, 5).map((i) => `${i.path}: ${i.bytes} B`);

    expect(core?.limit).toBe(19 * 1024);
    expect(core?.gzipBytes, `largest inputs: ${largest?.join(", ")}`).toBeLessThanOrEqual(
      19 * 1024,
    );
  });

  it("bundles the dependencies' dependencies; leaves out only built-ins and peers", async () => {
    const rows = await measure();
    const core = rows.find((row) => row.name === "latchkey");
    const redis = rows.find((row) => row.name === "latchkey/redis");
    const paths = (row: SizeRow | undefined) => row?.inputs.map((input) => input.path) ?? [];

    expect(paths(core)).toContain("node_modules/@oslojs/binary/dist/uint.js");
    expect(paths(redis).some((path) => path.includes("node_modules/ioredis/"))).toBe(false);
    expect(paths(redis).some((path) => path.includes("node_modules/redis/"))).toBe(false);
  });
});
