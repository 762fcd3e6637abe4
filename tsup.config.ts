import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

// One list of entries drives both the build and the package.json `exports` map
// (scripts/sync-exports.mjs), so the two cannot drift apart.
const entries = JSON.parse(readFileSync("build-entries.json", "utf8")) as Record<string, string>;

const entry = Object.fromEntries(
  Object.entries(entries).map(([subpath, file]) => [
    subpath === "." ? "index" : subpath.slice(2),
    file,
  ]),
);

export default defineConfig([
  {
    entry,
    format: ["esm"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "es2022",
    splitting: true,
    treeshake: true,
  },
  {
    entry,
    format: ["cjs"],
    dts: true,
    sourcemap: true,
    target: "es2022",
    // @oslojs/* ship ESM only; the CJS build carries its own copy so that `require` works on
    // every Node version without require(esm).
    noExternal: [/^@oslojs\//],
  },
]);
