// Writes (or with --check, verifies) package.json's `exports`, `main`, `module` and `types` from
// build-entries.json, the same list tsup builds from.
import { readFileSync, writeFileSync } from "node:fs";

const entries = JSON.parse(readFileSync("build-entries.json", "utf8"));
const pkg = JSON.parse(readFileSync("package.json", "utf8"));

const exportsMap = {};
for (const subpath of Object.keys(entries)) {
  const base = subpath === "." ? "index" : subpath.slice(2);
  exportsMap[subpath] = {
    import: { types: `./dist/${base}.d.ts`, default: `./dist/${base}.js` },
    require: { types: `./dist/${base}.d.cts`, default: `./dist/${base}.cjs` },
  };
}
exportsMap["./package.json"] = "./package.json";

const wanted = {
  ...pkg,
  main: "./dist/index.cjs",
  module: "./dist/index.js",
  types: "./dist/index.d.ts",
  exports: exportsMap,
};

const before = JSON.stringify(pkg, null, 2) + "\n";
const after = JSON.stringify(wanted, null, 2) + "\n";
if (process.argv.includes("--check")) {
  if (before !== after) {
    console.error("package.json exports are out of date: run node scripts/sync-exports.mjs");
    process.exit(1);
  }
} else if (before !== after) {
  writeFileSync("package.json", after);
}
