#!/usr/bin/env node
// Reports the minified and minified + gzipped size of each subpath of the built package, each
// bundled alone by esbuild with its dependencies (cookie, @oslojs/*) included; Node built-ins and
// the optional peers (express, store drivers) stay external, as an app provides them.
//
//   node scripts/size.mjs            print the table
//   node scripts/size.mjs --check    also fail when a subpath is over its limit
//   node scripts/size.mjs --write    also rewrite the table between the size markers in
//                                    README.md
//   node scripts/size.mjs --json     print JSON instead of the table
//   node scripts/size.mjs --breakdown
//                                    also print, for each subpath with a limit, its largest
//                                    inputs and what its dependencies weigh alone
//
// Run it after `npm run build`: it measures dist/, not src/.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ENTRIES = JSON.parse(readFileSync(join(ROOT, "build-entries.json"), "utf8"));
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/**
 * Budgets in gzipped bytes: a regression guard, so that the core cannot grow unnoticed. The goal
 * for the core is 8 KB; it is not met (see the README's Limitations for the measured breakdown),
 * so the budget sits just above the measured size and moves only with a reason written here.
 * 16 KB → 17.5 KB: the memory store's slot table (typed-array columns, raw hash bytes) added
 * about 1.7 KB and saves about 190 bytes per live session.
 * 17.5 KB → 18 KB: no code change; the measurement had left the dependencies' own dependency
 * (`@oslojs/binary`, 0.3 KB gzipped) out of the bundle, and now includes it.
 * 18 KB → 19 KB: the core re-checks every record a store returns, refuses unknown option
 * names (with the nearest known one), and checks at start-up that its cookies fit; about
 * 0.8 KB, each closing a way to a session the configuration did not intend.
 */
const LIMITS = { ".": 19 * 1024 };

/** The subpaths that must run on any runtime with Web APIs are bundled for the browser. */
const WEB_SUBPATHS = new Set([".", "./fetch"]);

const START = "<!-- size-table:start -->";
const END = "<!-- size-table:end -->";
const BUNDLED = new Set(Object.keys(PKG.dependencies ?? {}));
const PEERS = new Set(Object.keys(PKG.peerDependencies ?? {}));
const BUILTINS = new Set(builtinModules);

function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * Keeps Node built-ins and the optional peers out of the bundle. Everything else is bundled,
 * the dependencies' own dependencies (`@oslojs/binary`, say) included.
 */
const externals = {
  name: "externals",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = packageName(args.path);
      if (args.path.startsWith("node:") || BUILTINS.has(name) || PEERS.has(name)) {
        return { path: args.path, external: true };
      }
      return undefined;
    });
  },
};

async function measure(subpath) {
  const base = subpath === "." ? "index" : subpath.slice(2);
  const file = join(ROOT, "dist", `${base}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);

  const web = WEB_SUBPATHS.has(subpath);
  const result = await build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    platform: web ? "browser" : "node",
    conditions: web ? ["worker", "browser"] : [],
    target: "es2022",
    metafile: true,
    plugins: [externals],
    logLevel: "silent",
  });

  const code = result.outputFiles[0].contents;
  const output = Object.values(result.metafile.outputs)[0];
  const inputs = Object.entries(output.inputs)
    .map(([path, info]) => ({ path, bytes: info.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);

  const name = subpath === "." ? PKG.name : `${PKG.name}/${subpath.slice(2)}`;
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  const limit = LIMITS[subpath] ?? null;
  return { subpath, name, minBytes: code.length, gzipBytes, limit, inputs };
}

const DEPENDENCY_IMPORT = /import\s*\{([^}]*)\}\s*from\s*["']([^"'.][^"']*)["']/g;

/**
 * Bundles only what a subpath takes from its runtime dependencies: the same named imports its
 * built files make, and nothing of latchkey's own code. Gives the floor its dependencies set.
 */
async function measureDependencies(row) {
  const lines = [];
  for (const input of row.inputs) {
    if (input.path.includes("node_modules/")) continue;
    const text = readFileSync(join(ROOT, input.path), "utf8");
    for (const [, names, specifier] of text.matchAll(DEPENDENCY_IMPORT)) {
      if (!BUNDLED.has(packageName(specifier))) continue;
      const list = names
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean);
      const aliases = list.map((name) => `${name} as d${lines.length}_${name}`);
      lines.push(`export { ${aliases.join(", ")} } from "${specifier}";`);
    }
  }

  const result = await build({
    stdin: { contents: lines.join("\n"), resolveDir: ROOT, loader: "js" },
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    platform: WEB_SUBPATHS.has(row.subpath) ? "browser" : "node",
    target: "es2022",
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

async function printBreakdown(row) {
  const dependencies = await measureDependencies(row);
  const own = row.inputs.filter((input) => !input.path.includes("node_modules/"));
  const ownBytes = own.reduce((sum, input) => sum + input.bytes, 0);

  console.log(`\n${row.name}: ${kb(row.gzipBytes)} gzipped, ${kb(row.minBytes)} minified`);
  console.log(
    `  its dependencies alone: ${kb(dependencies.gzipBytes)} gzipped, ` +
      `${kb(dependencies.minBytes)} minified`,
  );
  console.log(`  latchkey's own code: ${kb(ownBytes)} minified`);
  console.log("  largest inputs (minified, before gzip):");
  for (const input of row.inputs.slice(0, 12)) {
    console.log(`    ${kb(input.bytes).padStart(9)}  ${input.path}`);
  }
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(2)} KB`;
}

function table(rows) {
  const lines = [
    "| Import | Minified | Minified + gzip | Limit (gzip) |",
    "| --- | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    const limit = row.limit === null ? "" : kb(row.limit);
    lines.push(`| \`${row.name}\` | ${kb(row.minBytes)} | ${kb(row.gzipBytes)} | ${limit} |`);
  }
  return lines.join("\n");
}

function writeTable(file, text) {
  const path = join(ROOT, file);
  if (!existsSync(path)) return false;

  const content = readFileSync(path, "utf8");
  const start = content.indexOf(START);
  const end = content.indexOf(END);
  if (start === -1 || end < start) return false;

  const updated = `${content.slice(0, start + START.length)}\n${text}\n${content.slice(end)}`;
  if (updated !== content) writeFileSync(path, updated);
  return true;
}

const args = new Set(process.argv.slice(2));
const rows = [];
for (const subpath of Object.keys(ENTRIES)) rows.push(await measure(subpath));

const text = table(rows);
if (args.has("--json")) console.log(JSON.stringify(rows, null, 2));
else console.log(text);

if (args.has("--breakdown")) {
  for (const row of rows.filter((candidate) => candidate.limit !== null)) await printBreakdown(row);
}

if (args.has("--write")) {
  for (const file of ["README.md"]) {
    if (writeTable(file, text)) console.error(`size: table written to ${file}`);
  }
}

const over = rows.filter((row) => row.limit !== null && row.gzipBytes > row.limit);
for (const row of over) {
  const top = row.inputs.slice(0, 5).map((i) => `${i.path} ${kb(i.bytes)}`);
  console.error(`size: ${row.name} is ${kb(row.gzipBytes)} gzipped, over ${kb(row.limit)}`);
  console.error(`  largest inputs (minified, before gzip): ${top.join(", ")}`);
}
if (args.has("--check") && over.length > 0) process.exitCode = 1;
