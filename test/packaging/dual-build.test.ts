/**
 * The ESM and the CJS builds can both be loaded in one process (an ESM app with a CJS
 * dependency that also uses latchkey). What one copy makes, the other must recognise: errors
 * (`isLatchkeyError`) and request handles (`writeSessionCookie`). Checks the built files in
 * dist/ (`npm test` builds first).
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const DIST = new URL("../../dist/", import.meta.url);
const require = createRequire(DIST);

type CoreModule = typeof import("../../src/index.js");
type FetchModule = typeof import("../../src/http/fetch.js");

async function bothBuilds() {
  const esm = {
    core: (await import(new URL("index.js", DIST).href)) as CoreModule,
    fetch: (await import(new URL("fetch.js", DIST).href)) as FetchModule,
  };
  const cjs = {
    core: require("./index.cjs") as CoreModule,
    fetch: require("./fetch.cjs") as FetchModule,
  };
  return { esm, cjs };
}

describe("dual ESM/CJS build", () => {
  it.each([
    ["an ESM handle through the CJS writeSessionCookie", "esm", "cjs"],
    ["a CJS handle through the ESM writeSessionCookie", "cjs", "esm"],
  ] as const)("writes the cookie of %s", async (_label, maker, writer) => {
    const builds = await bothBuilds();
    const manager = builds[maker].core.createSessionManager();
    const session = await builds[maker].fetch.loadSession(
      manager,
      new Request("https://app.example.test/login", { method: "POST" }),
    );
    await session.login("user-1");

    const response = builds[writer].fetch.writeSessionCookie(new Response("ok"), session);

    expect(builds.esm.fetch).not.toBe(builds.cjs.fetch);
    expect(response.headers.getSetCookie()).toEqual([session.setCookie]);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("recognises an error of the other build as a latchkey error", async () => {
    const { esm, cjs } = await bothBuilds();

    expect(esm.core.isLatchkeyError(new cjs.core.HeadersSentError("login"))).toBe(true);
    expect(cjs.core.isLatchkeyError(new esm.core.ConfigError("field", "bad"))).toBe(true);
  });
});
