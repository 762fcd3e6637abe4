/**
 * The core (`latchkey`) and the Fetch entry (`latchkey/fetch`) bundle for the browser platform
 * with no Node built-in and no Node global, dependencies included. Checks the built files in
 * dist/ (`npm test` builds first), or those of LATCHKEY_PACKAGE_DIR.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findNodeUsage } from "./node-usage.js";

const PACKAGE_DIR = resolve(
  process.env.LATCHKEY_PACKAGE_DIR ?? new URL("../..", import.meta.url).pathname,
);

describe("browser-platform bundle", () => {
  it.each([
    ["latchkey", "dist/index.js"],
    ["latchkey/fetch", "dist/fetch.js"],
  ])("%s uses no node:* import and no Node global", async (_subpath, file) => {
    expect(await findNodeUsage(join(PACKAGE_DIR, file))).toEqual([]);
  });
});

describe("findNodeUsage", () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-node-usage-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports built-in imports and Node globals, also when read through globalThis", async () => {
    const entry = join(dir, "uses-node.mjs");
    writeFileSync(
      entry,
      [
        'import { createHash } from "node:crypto";',
        'import { readFileSync } from "fs";',
        "export const a = createHash && readFileSync;",
        'export const b = Buffer.from("x");',
        "export const c = globalThis.process?.env;",
        "export const d = typeof setImmediate;",
      ].join("\n"),
    );

    const found = await findNodeUsage(entry);

    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringContaining('import "node:crypto"'),
        expect.stringContaining('import "fs"'),
        "global Buffer",
        "global process",
        "global setImmediate",
      ]),
    );
  });

  it("reports nothing for local bindings, property names and strings with Node names", async () => {
    const entry = join(dir, "web-only.mjs");
    writeFileSync(
      entry,
      [
        "const process = (x) => x;",
        'export const a = process("Buffer");',
        "export const b = { global: 1, Buffer: 2 }.Buffer;",
        'export const c = new TextEncoder().encode("process.env");',
      ].join("\n"),
    );

    expect(await findNodeUsage(entry)).toEqual([]);
  });
});
