/**
 * The workerd driver, run on Node: loads the bundled Worker module (argv[2]) into workerd through
 * miniflare, with no Node compatibility flags, and runs the scenario through `dispatchFetch`.
 * Prints one `RESULT {json}` line and exits non-zero on a failure.
 */
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { runScenario } from "./scenario.mjs";

// The newest date this workerd supports without a warning; no `nodejs_compat`, so the Worker sees
// only the Web APIs.
const COMPATIBILITY_DATE = "2025-12-01";

const script = readFileSync(process.argv[2], "utf8");
const mf = new Miniflare({
  modules: true,
  script,
  compatibilityDate: COMPATIBILITY_DATE,
  compatibilityFlags: [],
});

let result;
try {
  await mf.ready;
  result = await runScenario((url, init) => mf.dispatchFetch(url, init));
} finally {
  await mf.dispose();
}

console.log(`RESULT ${JSON.stringify({ runtime: "workerd", ...result })}`);
if (!result.passed) process.exitCode = 1;
