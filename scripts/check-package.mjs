#!/usr/bin/env node
// Packaging checks on what npm would publish: packs the package (run `npm run build` first),
// then on that tarball runs
//   1. publint (strict: warnings fail too),
//   2. @arethetypeswrong/cli, for the node16 (CJS and ESM) and bundler resolutions: Node 10
//      resolution is out of scope, as `engines` requires Node 20,
//   3. the consumer smoke test (test/packaging/consumer.mjs): install into a new project, load
//      every subpath with `import` and `require`, type-checked under node16 and bundler.
// Prints `check-package: N passed, N failed` and exits non-zero on any failure.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { consumerSmoke } from "../test/packaging/consumer.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// The package to pack: this repository, or LATCHKEY_PACKAGE_DIR (tools still come from ROOT).
const PACKAGE_DIR = resolve(process.env.LATCHKEY_PACKAGE_DIR ?? ROOT);

function run(file, args, options = {}) {
  return new Promise((done) => {
    execFile(file, args, { encoding: "utf8", maxBuffer: 16 << 20, ...options }, (error, out, err) =>
      done({ ok: error === null, stdout: out ?? "", stderr: err ?? "" }),
    );
  });
}

async function pack(destination) {
  const result = await run("npm", ["pack", "--json", "--pack-destination", destination], {
    cwd: PACKAGE_DIR,
  });
  if (!result.ok) throw new Error(`npm pack failed:\n${result.stderr}`);
  const [{ filename }] = JSON.parse(result.stdout);
  return join(destination, filename);
}

async function checkPublint(tarball) {
  const bytes = readFileSync(tarball);
  const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"));
  const tarballBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  const { messages } = await publint({ pack: { tarball: tarballBuffer }, strict: true });

  for (const message of messages) {
    console.log(`publint ${message.type}: ${formatMessage(message, pkg) ?? message.code}`);
  }
  return !messages.some((m) => m.type === "error" || m.type === "warning");
}

async function checkTypes(tarball) {
  const attw = join(ROOT, "node_modules/.bin/attw");
  const result = await run(attw, [tarball, "--profile", "node16", "--format", "table"]);
  console.log(result.stdout.trim());
  if (result.stderr.trim() !== "") console.log(result.stderr.trim());
  return result.ok;
}

async function checkConsumer(tarball) {
  const subpaths = await consumerSmoke(tarball, { root: ROOT });
  console.log(`consumer: every subpath loads (${subpaths.join(", ")})`);
  return true;
}

const dir = mkdtempSync(join(tmpdir(), "latchkey-pack-"));
const outcomes = [];
try {
  const tarball = await pack(dir);
  console.log(`packed ${tarball}`);
  for (const [name, check] of [
    ["publint", checkPublint],
    ["attw", checkTypes],
    ["consumer", checkConsumer],
  ]) {
    let ok;
    try {
      ok = await check(tarball);
    } catch (error) {
      console.log(String(error?.message ?? error));
      ok = false;
    }
    console.log(`${name}: ${ok ? "pass" : "FAIL"}`);
    outcomes.push(ok);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const failed = outcomes.filter((ok) => !ok).length;
console.log(`check-package: ${outcomes.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
