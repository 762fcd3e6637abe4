/**
 * The in-process driver for Node, Bun and Deno: builds the handler from app.mjs, runs the
 * scenario against it with `new Request(...)`, prints one `RESULT {json}` line and exits non-zero
 * on a failure. It uses no runtime-specific API beyond reading which runtime it is on.
 */
import { createApp } from "./app.mjs";
import { runScenario } from "./scenario.mjs";

function runtimeName() {
  if (globalThis.Deno !== undefined) return `deno ${globalThis.Deno.version.deno}`;
  if (globalThis.Bun !== undefined) return `bun ${globalThis.Bun.version}`;
  return `node ${globalThis.process.versions.node}`;
}

const app = createApp();
const result = await runScenario((url, init) => app(new Request(url, init)));
console.log(`RESULT ${JSON.stringify({ runtime: runtimeName(), ...result })}`);

if (!result.passed) throw new Error("runtime smoke scenario failed");
