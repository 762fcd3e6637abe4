import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CookieJar, cookiesNamed, send } from "../support/http.js";
import { startExample, type StartedExample } from "./load.js";

const NAME = "__Host-sid";

describe.each(["node-http", "fetch"] as const)("examples/%s", (name) => {
  let example: StartedExample;

  beforeEach(async () => {
    example = await startExample(name);
  });

  afterEach(async () => {
    await example.close();
  });

  it("answers signed-out without a cookie and sets none", async () => {
    const response = await send(example.url, "/");

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ signedIn: false });
    expect(response.setCookie).toEqual([]);
  });

  it("signs in with a 303 and one session cookie, counts visits, and signs out", async () => {
    const jar = new CookieJar();
    const login = await send(example.url, "/login", { method: "POST", jar });
    expect(login.status).toBe(303);
    expect(cookiesNamed(login, NAME)).toHaveLength(1);
    expect(login.setCookie).toHaveLength(1);
    expect(login.headers["cache-control"]).toBe("no-store");

    const first = JSON.parse((await send(example.url, "/", { jar })).body);
    const second = JSON.parse((await send(example.url, "/", { jar })).body);
    expect(first).toEqual({ signedIn: true, userId: "demo-user", visits: 1 });
    expect(second.visits).toBe(2);

    const token = jar.get(NAME)!;
    const logout = await send(example.url, "/logout", { method: "POST", jar });
    expect(logout.status).toBe(303);
    expect(cookiesNamed(logout, NAME)[0]?.attributes.get("max-age")).toBe("0");
    const replay = await send(example.url, "/", { headers: [["Cookie", `${NAME}=${token}`]] });
    expect(JSON.parse(replay.body)).toEqual({ signedIn: false });
  });

  it("reads the session from two Cookie header fields", async () => {
    const jar = new CookieJar();
    await send(example.url, "/login", { method: "POST", jar });

    const response = await send(example.url, "/", {
      headers: [
        ["Cookie", "theme=dark"],
        ["Cookie", `${NAME}=${jar.get(NAME)!}`],
      ],
    });
    expect(JSON.parse(response.body).signedIn).toBe(true);
  });
});
