/**
 * Loads an example the way a user runs it: plain ESM importing `latchkey` by package name, which
 * resolves through the package's own `exports` map to `dist/`. `npm test` builds first.
 */
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import type { SessionManager } from "../../src/core/manager-api.js";

/** What every example's `start()` resolves to. */
export interface StartedExample {
  server: Server;
  url: string;
  sessions: SessionManager;
  close(): Promise<void>;
}

/** What every example module exports. */
export interface ExampleModule {
  start(options: { port: number; host: string }): Promise<StartedExample>;
}

/** Imports `examples/<name>/server.js` and starts it on 127.0.0.1, port 0. */
export async function startExample(
  name: "express" | "node-http" | "fetch",
): Promise<StartedExample> {
  const dist = new URL("../../dist/index.js", import.meta.url);
  if (!existsSync(dist)) {
    throw new Error("the examples import the built package: run `npm run build` first");
  }

  const href = new URL(`../../examples/${name}/server.js`, import.meta.url).href;
  const module = (await import(/* @vite-ignore */ href)) as ExampleModule;
  return module.start({ port: 0, host: "127.0.0.1" });
}
