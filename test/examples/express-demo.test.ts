import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CookieJar, cookiesNamed, send, type ClientRequest } from "../support/http.js";
import { startExample, type StartedExample } from "./load.js";

const NAME = "__Host-sid";
const ALICE = { email: "alice@example.test", password: "demo-password" };
const BOB = { email: "bob@example.test", password: "demo-password" };

describe("examples/express demo over HTTP", () => {
  let demo: StartedExample;
  const request = (path: string, options?: ClientRequest) => send(demo.url, path, options);
  const post = (path: string, options: ClientRequest = {}) =>
    request(path, { method: "POST", ...options });

  async function signIn(jar: CookieJar, account = ALICE): Promise<void> {
    const response = await post("/login", { jar, form: account });
    expect(response.status).toBe(303);
  }

  async function me(jar: CookieJar) {
    const response = await request("/me", { jar });
    return { status: response.status, body: JSON.parse(response.body) as MeBody };
  }

  beforeEach(async () => {
    demo = await startExample("express");
  });

  afterEach(async () => {
    await demo.close();
  });

  it("GET / shows the login form with both demo accounts and sets no cookie", async () => {
    const response = await request("/");

    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/html/);
    expect(response.body).toContain('action="/login"');
    expect(response.body).toContain("alice@example.test");
    expect(response.body).toContain("bob@example.test");
    expect(response.body).toContain("demo-password");
    expect(response.setCookie).toEqual([]);
  });

  it("POST /login, right password: redirects to / with one safe session cookie", async () => {
    const jar = new CookieJar();
    const response = await post("/login", { jar, form: ALICE });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe("/");
    const cookies = cookiesNamed(response, NAME);
    expect(response.setCookie).toHaveLength(1);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]!.attributes.get("secure")).toBe(true);
    expect(cookies[0]!.attributes.get("httponly")).toBe(true);
    expect(String(cookies[0]!.attributes.get("samesite")).toLowerCase()).toBe("lax");
    expect(cookies[0]!.attributes.get("path")).toBe("/");
    expect(cookies[0]!.attributes.has("domain")).toBe(false);
    expect(response.headers["cache-control"]).toBe("no-store");

    const page = await request("/", { jar });
    expect(page.body).toContain("Signed in as");
    expect(page.body).toContain("alice@example.test");
  });

  it.each([
    ["a wrong password", { email: ALICE.email, password: "wrong-password" }],
    ["an unknown email", { email: "mallory@example.test", password: "demo-password" }],
    ["an empty form", { email: "", password: "" }],
  ])("POST /login with %s answers 401 and sets no cookie", async (_label, form) => {
    const response = await post("/login", { form });

    expect(response.status).toBe(401);
    expect(response.setCookie).toEqual([]);
    expect(response.body).toContain("Wrong email or password");
  });

  it("escapes what the client sent when it echoes it back", async () => {
    const form = { email: '"><script>alert(1)</script>', password: "x" };
    const response = await post("/login", { form });

    expect(response.status).toBe(401);
    expect(response.body).not.toContain("<script>alert(1)</script>");
    expect(response.body).toContain("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("GET /me answers 401 JSON without a session and the user's sessions with one", async () => {
    const anonymous = await request("/me");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers["content-type"]).toMatch(/^application\/json/);

    const jar = new CookieJar();
    await signIn(jar);
    const { status, body } = await me(jar);
    expect(status).toBe(200);
    expect(body.userId).toBe("alice@example.test");
    expect(body.sessions).toHaveLength(1);
    expect(body.sessions[0]!.current).toBe(true);
  });

  it("POST /sessions/revoke-others signs out the user's other sessions only", async () => {
    const [laptop, phone, bob] = [new CookieJar(), new CookieJar(), new CookieJar()];
    await signIn(laptop);
    await signIn(phone);
    await signIn(bob, BOB);
    expect((await me(laptop)).body.sessions).toHaveLength(2);

    const response = await post("/sessions/revoke-others", { jar: laptop });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe("/");

    expect((await me(phone)).status).toBe(401);
    expect((await me(laptop)).body.sessions).toHaveLength(1);
    expect((await me(bob)).status).toBe(200);
  });

  it("POST /sessions/:id/revoke revokes the user's own session, never someone else's", async () => {
    const [laptop, phone, bob] = [new CookieJar(), new CookieJar(), new CookieJar()];
    await signIn(laptop);
    await signIn(phone);
    await signIn(bob, BOB);
    const phoneId = (await me(phone)).body.sessions.find((entry) => entry.current)!.id;

    const refused = await post(`/sessions/${phoneId}/revoke`, { jar: bob });
    expect(refused.status).toBe(303);
    expect((await me(phone)).status).toBe(200);

    const revoked = await post(`/sessions/${phoneId}/revoke`, { jar: laptop });
    expect(revoked.status).toBe(303);
    expect((await me(phone)).status).toBe(401);
    expect((await me(laptop)).status).toBe(200);
  });

  it("POST /logout clears the cookie and makes the old one worthless", async () => {
    const jar = new CookieJar();
    await signIn(jar);
    const old = jar.get(NAME)!;

    const response = await post("/logout", { jar });
    expect(response.status).toBe(303);
    expect(cookiesNamed(response, NAME)[0]?.attributes.get("max-age")).toBe("0");

    const replay = await request("/me", { headers: [["Cookie", `${NAME}=${old}`]] });
    expect(replay.status).toBe(401);
  });

  it.each(["/login", "/logout", "/sessions/revoke-others", "/sessions/abc/revoke"])(
    "POST %s from another origin is refused with 403 and changes nothing",
    async (path) => {
      const jar = new CookieJar();
      await signIn(jar);
      const origin: [string, string] = ["Origin", "http://evil.example.test"];

      const response = await post(path, { jar, form: ALICE, headers: [origin] });
      expect(response.status).toBe(403);
      expect(response.setCookie).toEqual([]);
      expect((await me(jar)).body.sessions).toHaveLength(1);
    },
  );

  it("answers an oversized form with 413 and a malformed path with 400, not 500", async () => {
    const large = await post("/login", { form: { email: "a", password: "a".repeat(5000) } });
    const malformed = await post("/sessions/%E0%A4%A/revoke");

    expect(large.status).toBe(413);
    expect(large.setCookie).toEqual([]);
    expect(malformed.status).toBe(400);
  });

  it("refuses a state-changing request with Origin: null", async () => {
    const response = await post("/login", { form: ALICE, headers: [["Origin", "null"]] });

    expect(response.status).toBe(403);
    expect(response.setCookie).toEqual([]);
  });

  it("accepts a state-changing request whose Origin is the demo's own", async () => {
    const jar = new CookieJar();
    const response = await post("/login", {
      jar,
      form: ALICE,
      headers: [["Origin", demo.url]],
    });

    expect(response.status).toBe(303);
    expect((await me(jar)).status).toBe(200);
  });
});

interface MeBody {
  userId: string;
  sessions: Array<{ id: string; idPrefix: string; current: boolean }>;
}
