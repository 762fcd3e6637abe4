/**
 * Finds what ties a module to Node: bundles it with esbuild for the browser platform and lists
 * every Node built-in it imports (`node:*` or a bare built-in name such as `fs`) and every Node
 * global it reads (`Buffer`, `process`, `global`, `setImmediate`, `__dirname`, `__filename`,
 * also through `globalThis.`), dependencies included.
 */
import { builtinModules } from "node:module";
import { build, type Plugin } from "esbuild";

const NODE_GLOBALS = ["Buffer", "process", "global", "setImmediate", "__dirname", "__filename"];
const MARK = "__latchkey_node_global__";
const BUILTINS = new Set(builtinModules);

function isBuiltin(specifier: string): boolean {
  if (specifier.startsWith("node:")) return true;
  return BUILTINS.has(specifier) || BUILTINS.has(specifier.split("/")[0] ?? "");
}

/** Records each built-in import instead of resolving it, so one run reports all of them. */
function recordBuiltins(found: string[]): Plugin {
  return {
    name: "record-node-builtins",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        if (!isBuiltin(args.path)) return undefined;
        found.push(`import "${args.path}" (from ${args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * @param entry the file to bundle, with everything it imports.
 * @returns one line per Node dependency; empty when the bundle uses Web APIs only.
 */
export async function findNodeUsage(entry: string): Promise<string[]> {
  const found: string[] = [];

  // A defined global is replaced only where it is read as a free variable (not a property name,
  // a string or a local binding), so the marks left in the output are real global reads.
  const define: Record<string, string> = {};
  for (const name of NODE_GLOBALS) {
    define[name] = `${MARK}${name}`;
    define[`globalThis.${name}`] = `${MARK}${name}`;
  }

  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["worker", "browser"],
    target: "es2022",
    define,
    plugins: [recordBuiltins(found)],
    logLevel: "silent",
  });

  const text = result.outputFiles.map((file) => file.text).join("\n");
  const globals = new Set(text.match(new RegExp(`${MARK}\\w+`, "g")) ?? []);
  for (const mark of globals) found.push(`global ${mark.slice(MARK.length)}`);
  return found;
}
