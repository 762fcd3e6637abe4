import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import type { SessionEvent } from "../../src/core/events.js";
import type { SessionManager } from "../../src/core/manager-api.js";
import {
  appendSessionCookie,
  loadSession,
  writeSessionCookie,
  type FetchSessionOptions,
} from "../../src/http/fetch.js";
import { createSessionManager } from "../../src/index.js";

const NAME = "__Host-sid";

function setup() {
  const events: SessionEvent[] = [];
  const manager = createSessionManager({ onEvent: (event) => events.push(event) });
  return { manager, events };
}

async function loginResponse(
  manager: ReturnType<typeof setup>["manager"],
  url: string,
  options: FetchSessionOptions,
  headers: HeadersInit = {},
): Promise<Response> {
  const session = await loadSession(
    manager,
    new Request(url, { method: "POST", headers }),
    options,
  );
  await session.login("user-1");
  return writeSessionCookie(new Response("ok"), session);
}

describe("writeSessionCookie", () => {
  it("copies a response whose headers are immutable and keeps status and Location", async () => {
    const { manager } = setup();
    const session = await loadSession(manager, new Request("https://app.example.test/login"));
    await session.login("user-1");

    const redirect = Response.redirect("https://app.example.test/", 303);
    const response = writeSessionCookie(redirect, session);
    expect(response).not.toBe(redirect);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("https://app.example.test/");
    expect(response.headers.getSetCookie()).toHaveLength(1);
    expect(redirect.headers.getSetCookie()).toEqual([]);
  });

  it("appends to Headers next to the app's cookies, never comma-joined (FR-29)", async () => {
    const { manager } = setup();
    const session = await loadSession(manager, new Request("https://app.example.test/"));
    await session.login("user-1");
    const headers = new Headers();
    headers.append("set-cookie", "flash=1; Path=/; Expires=Wed, 01 Jan 2031 00:00:00 GMT");

    writeSessionCookie(headers, session);
    const lines = headers.getSetCookie();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("flash=1; Path=/; Expires=Wed, 01 Jan 2031 00:00:00 GMT");
    expect(lines[1]!.startsWith(`${NAME}=`)).toBe(true);
  });

  it("leaves the target untouched when nothing changed", async () => {
    const { manager } = setup();
    const session = await loadSession(manager, new Request("https://app.example.test/"));
    const response = new Response("ok", { headers: { "cache-control": "max-age=60" } });

    expect(writeSessionCookie(response, session)).toBe(response);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get("cache-control")).toBe("max-age=60");
  });
});

describe("writeSessionCookie (misuse)", () => {
  it("throws a TypeError for an object that is not a handle from loadSession", async () => {
    const { manager } = setup();
    const real = await loadSession(manager, new Request("https://app.example.test/"));
    await real.login("user-1");
    const lookalike = { ...real, setCookie: real.setCookie } as typeof real;

    expect(() => writeSessionCookie(new Response("ok"), lookalike)).toThrow(TypeError);
    expect(() => writeSessionCookie(new Response("ok"), lookalike)).toThrow(/loadSession/);
  });

  it("reports a change still being written, whose cookie it cannot include", async () => {
    const { manager, events } = setup();
    const session = await loadSession(manager, new Request("https://app.example.test/"));

    const pending = session.login("user-1");
    const response = writeSessionCookie(new Response("ok"), session);
    await pending;

    expect(response.headers.getSetCookie()).toEqual([]);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "store.error", operation: "respond" }),
    );
  });

  it("returns a network error (Response.error()) untouched", async () => {
    const { manager } = setup();
    const session = await loadSession(manager, new Request("https://app.example.test/"));
    await session.login("user-1");
    const failure = Response.error();

    expect(writeSessionCookie(failure, session)).toBe(failure);
  });
});

describe("loadSession (fetch) options", () => {
  it.each([["loopback"], [["10.0.0.0/8"]], [{}]])(
    "rejects with ConfigError(trustProxy) for trustProxy %j",
    async (trustProxy) => {
      const { manager } = setup();
      const options = { trustProxy } as unknown as FetchSessionOptions;

      const loading = loadSession(manager, new Request("https://app.example.test/"), options);

      await expect(loading).rejects.toBeInstanceOf(ConfigError);
      await expect(loading).rejects.toMatchObject({ field: "trustProxy" });
    },
  );

  it("rejects with ConfigError(manager) without a manager", async () => {
    const request = new Request("https://app.example.test/");

    const loading = loadSession(undefined as unknown as SessionManager, request);

    await expect(loading).rejects.toMatchObject({ field: "manager", code: "config" });
  });
});

describe("appendSessionCookie", () => {
  it("replaces an earlier line for the session name and keeps the others", () => {
    const headers = new Headers({ vary: "Accept-Encoding", "cache-control": "public" });
    headers.append("set-cookie", `${NAME}=old; Path=/`);
    headers.append("set-cookie", "theme=dark; Path=/");

    appendSessionCookie(headers, NAME, `${NAME}=; Max-Age=0; Path=/`);
    expect(headers.getSetCookie()).toEqual(["theme=dark; Path=/", `${NAME}=; Max-Age=0; Path=/`]);
    expect(headers.get("cache-control")).toBe("no-store");
    expect(headers.get("vary")).toBe("Accept-Encoding, Cookie");
  });

  it("leaves Vary: * alone", () => {
    const headers = new Headers({ vary: "*" });
    appendSessionCookie(headers, NAME, `${NAME}=v; Path=/`);
    expect(headers.get("vary")).toBe("*");
  });
});

describe("loadSession (fetch)", () => {
  it("reads the session from Cookie values appended separately", async () => {
    const { manager } = setup();
    const issued = await manager.create({ userId: "user-1" });
    const token = issued.setCookie.split(";")[0]!.slice(NAME.length + 1);
    const headers = new Headers();
    headers.append("cookie", "a=1");
    headers.append("cookie", `${NAME}=${token}`);

    const request = new Request("https://app.example.test/", { headers });
    expect((await loadSession(manager, request)).userId).toBe("user-1");
  });

  it("never takes a session from a comma-joined Cookie value (PAR-04)", async () => {
    const { manager } = setup();
    const issued = await manager.create({ userId: "user-1" });
    const token = issued.setCookie.split(";")[0]!.slice(NAME.length + 1);

    // One cookie `a` whose value only looks like the session cookie once split at the comma (a
    // sibling subdomain can set such a cookie; it must not smuggle in a __Host- session).
    const planted = new Request("https://app.example.test/", {
      headers: { cookie: `a=x, ${NAME}=${token}` },
    });
    const session = await loadSession(manager, planted);
    expect(session.session).toBeNull();
    expect(session.reason).toBe("missing");
  });

  it.each<[string, string, FetchSessionOptions, HeadersInit, number]>([
    [
      "plain HTTP from a remote client (FR-03 a)",
      "http://app.example.test/",
      { ip: "203.0.113.7" },
      {},
      1,
    ],
    [
      "a trusted proxy that says https (FR-03 b)",
      "http://app.example.test/",
      { ip: "127.0.0.1", trustProxy: ["127.0.0.1"] },
      { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7" },
      0,
    ],
    [
      "an untrusted peer that says https (FR-03 c)",
      "http://app.example.test/",
      { ip: "203.0.113.7", trustProxy: ["127.0.0.1"] },
      { "x-forwarded-proto": "https" },
      1,
    ],
    ["HTTPS", "https://app.example.test/", { ip: "203.0.113.7" }, {}, 0],
    ["plain HTTP on this machine", "http://localhost:3000/", { ip: "127.0.0.1" }, {}, 0],
  ])("reports an insecure transport for %s as needed, never downgrading", async (...row) => {
    const [, url, options, headers, expected] = row;
    const { manager, events } = setup();

    const response = await loginResponse(manager, url, options, headers);
    const [line] = response.headers.getSetCookie();
    expect(line).toMatch(/; Secure/i);
    const reported = events.filter((event) => event.type === "cookie.insecure-transport");
    expect(reported).toHaveLength(expected);
  });

  it("records the client's IP and User-Agent on login", async () => {
    const { manager } = setup();
    const request = new Request("https://app.example.test/", { headers: { "user-agent": "UA/1" } });
    const session = await loadSession(manager, request, { ip: "198.51.100.4" });
    await session.login("user-9");

    const [summary] = await manager.listForUser("user-9");
    expect(summary).toMatchObject({ ip: "198.51.100.4", userAgent: "UA/1" });
  });
});

describe("latchkey/fetch runtime surface", () => {
  it("imports nothing from node:* and uses no Buffer or process, transitively", () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/http/fetch.ts");
    const seen = new Set<string>();
    const queue = [root];
    const offenders: string[] = [];

    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const source = readFileSync(file, "utf8");
      const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      if (/from\s+["']node:|\bBuffer\b|\bprocess\./.test(code)) offenders.push(file);
      for (const match of code.matchAll(/from\s+["'](\.[^"']+)\.js["']/g)) {
        queue.push(resolve(dirname(file), `${match[1]}.ts`));
      }
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(offenders).toEqual([]);
  });
});
