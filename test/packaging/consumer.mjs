/**
 * The consumer smoke test: installs the packed tarball into a new temporary project, as an app
 * would, then loads every subpath of its `exports` map
 * - in TypeScript, with `import` (an .mts file) and with `require` (a .cts file), type-checked
 *   under `moduleResolution` `node16` and again under `bundler`;
 * - at run time, by running the node16 output: the ESM file imports and the CJS file requires
 *   each subpath, and each must expose its exports.
 * The optional peers (express, store drivers) are not installed: loading a subpath must not need
 * them.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

function run(file, args, options) {
  return new Promise((done, fail) => {
    execFile(
      file,
      args,
      { encoding: "utf8", maxBuffer: 16 << 20, ...options },
      (error, out, err) =>
        error ? fail(new Error(`${file} ${args.join(" ")} failed:\n${out}\n${err}`)) : done(out),
    );
  });
}

function importName(subpath) {
  return subpath === "." ? "latchkey" : `latchkey/${subpath.slice(2)}`;
}

function identifier(index) {
  return `entry${index}`;
}

function loadedList(subpaths) {
  return subpaths.map((s, i) => `["${importName(s)}", ${identifier(i)}]`).join(", ");
}

/** The .mts source: static imports of every subpath, checked at run time. */
function esmSource(subpaths) {
  const lines = subpaths.map((s, i) => `import * as ${identifier(i)} from "${importName(s)}";`);
  lines.push(
    'import { createSessionManager, type SessionManager } from "latchkey";',
    "const manager: SessionManager = createSessionManager();",
    'if (manager.cookieName !== "__Host-sid") throw new Error("createSessionManager misbehaves");',
    `const loaded: Array<[string, object]> = [${loadedList(subpaths)}];`,
    "for (const [name, entry] of loaded) {",
    '  if (Object.keys(entry).length === 0) throw new Error(`import "${name}" has no exports`);',
    "}",
    "console.log(`import: ${loaded.length} subpaths loaded`);",
  );
  return `${lines.join("\n")}\n`;
}

/** The .cts source: `import x = require()` of every subpath, which compiles to `require`. */
function cjsSource(subpaths) {
  const lines = subpaths.map((s, i) => `import ${identifier(i)} = require("${importName(s)}");`);
  lines.push(
    "const manager: entry0.SessionManager = entry0.createSessionManager();",
    'if (manager.cookieName !== "__Host-sid") throw new Error("createSessionManager misbehaves");',
    `const loaded: Array<[string, object]> = [${loadedList(subpaths)}];`,
    "for (const [name, entry] of loaded) {",
    '  if (Object.keys(entry).length === 0) throw new Error(`require("${name}") has no exports`);',
    "}",
    "console.log(`require: ${loaded.length} subpaths loaded`);",
  );
  return `${lines.join("\n")}\n`;
}

function tsconfig(moduleKind, moduleResolution, outDir) {
  const compilerOptions = {
    target: "ES2022",
    module: moduleKind,
    moduleResolution,
    strict: true,
    noImplicitAny: true,
    skipLibCheck: false,
    types: ["node"],
    lib: ["ES2022", "DOM"],
    ...(outDir === null ? { noEmit: true } : { outDir }),
  };
  return JSON.stringify({ compilerOptions, files: ["src/consumer.mts", "src/consumer.cts"] });
}

/**
 * Runs the consumer smoke test.
 * @param tarball the `npm pack` output.
 * @param options `root`: the repository (for its TypeScript and @types); `log`: progress lines.
 */
export async function consumerSmoke(tarball, { root, log = console.log }) {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-consumer-"));
  try {
    const manifest = { name: "latchkey-consumer-smoke", private: true, type: "commonjs" };
    writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
    await run(
      "npm",
      ["install", "--no-audit", "--no-fund", "--no-package-lock", "--prefer-offline", tarball],
      { cwd: dir, timeout: 180_000 },
    );

    // Types for the Node adapters' `node:http` imports come from the repository's @types.
    mkdirSync(join(dir, "node_modules/@types"), { recursive: true });
    for (const name of readdirSync(join(root, "node_modules/@types"))) {
      symlinkSync(join(root, "node_modules/@types", name), join(dir, "node_modules/@types", name));
    }

    const { exports } = JSON.parse(
      await run(process.execPath, ["-p", "JSON.stringify(require('latchkey/package.json'))"], {
        cwd: dir,
      }),
    );
    const subpaths = Object.keys(exports).filter((s) => s !== "./package.json");

    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src/consumer.mts"), esmSource(subpaths));
    writeFileSync(join(dir, "src/consumer.cts"), cjsSource(subpaths));
    writeFileSync(join(dir, "tsconfig.node16.json"), tsconfig("node16", "node16", "out"));
    writeFileSync(join(dir, "tsconfig.bundler.json"), tsconfig("preserve", "bundler", null));

    const tsc = join(resolve(root), "node_modules/typescript/bin/tsc");
    for (const config of ["tsconfig.node16.json", "tsconfig.bundler.json"]) {
      await run(process.execPath, [tsc, "-p", config], { cwd: dir, timeout: 120_000 });
      log(`consumer: ${config} type-checks`);
    }

    for (const file of ["out/consumer.mjs", "out/consumer.cjs"]) {
      const out = await run(process.execPath, [file], { cwd: dir, timeout: 30_000 });
      log(`consumer: ${out.trim()}`);
    }
    return subpaths;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
