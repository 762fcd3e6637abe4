/**
 * The one table of request-shape cases. `matrix.test.ts` runs every case over every shape in
 * `shapes.ts`, each on a real server on 127.0.0.1 with a real client and cookie jar. Every case
 * ends by asserting that no unexpected error reached the manager's event hook.
 */
import { expect } from "vitest";
import { CookieJar } from "../support/http.js";
import { NAME, expectNoStore, login, me, sessionCookies, type HTTPCase } from "./case-context.js";
import { APP_COOKIES, TOKEN_CLEAR } from "./shapes.js";

/** The table. */
export const CASES: readonly HTTPCase[] = [
  {
    name: "no cookie gives no session, no Set-Cookie and no store write",
    async run(context) {
      const { response, body } = await me(context);

      expect(response.status).toBe(401);
      expect(body.reason).toBe("missing");
      expect(response.setCookie).toEqual([]);
      expect(context.store.writes).toBe(0);
    },
  },
  {
    name: "login sets exactly one session cookie with the safe attributes",
    async run(context) {
      const jar = new CookieJar();
      const response = await login(context, jar);

      const cookies = sessionCookies(response);
      expect(cookies).toHaveLength(1);
      const cookie = cookies[0]!;
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
      expect(cookie.attributes.get("secure")).toBe(true);
      expect(cookie.attributes.get("httponly")).toBe(true);
      expect(String(cookie.attributes.get("samesite")).toLowerCase()).toBe("lax");
      expect(cookie.attributes.get("path")).toBe("/");
      expect(cookie.attributes.has("domain")).toBe(false);
      expect(cookie.attributes.has("max-age")).toBe(false);
      expectNoStore(response);
    },
  },
  {
    name: "a login answered with a 303 redirect still carries the session cookie",
    async run(context) {
      const jar = new CookieJar();
      const response = await context.request("/login-redirect", { method: "POST", jar });

      expect(response.status).toBe(303);
      expect(sessionCookies(response)).toHaveLength(1);
      expectNoStore(response);
      const { body } = await me(context, { jar });
      expect(body.userId).toBe("user-1");
    },
  },
  {
    name: "a valid cookie gives the session and, with nothing changed, no Set-Cookie or write",
    async run(context) {
      const jar = new CookieJar();
      await login(context, jar, "user-7");
      const writes = context.store.writes;

      const { response, body } = await me(context, { jar });
      expect(response.status).toBe(200);
      expect(body.userId).toBe("user-7");
      expect(response.setCookie).toEqual([]);
      expect(context.store.writes).toBe(writes);
    },
  },
  {
    name: "login again mints a new token and the old one stops working (fixation)",
    async run(context) {
      const jar = new CookieJar();
      await login(context, jar, "user-1");
      const before = jar.get(NAME)!;

      await login(context, jar, "user-2");
      expect(jar.get(NAME)).not.toBe(before);
      const { response } = await me(context, { headers: [["Cookie", `${NAME}=${before}`]] });
      expect(response.status).toBe(401);
      expect((await me(context, { jar })).body.userId).toBe("user-2");
    },
  },
  {
    name: "a tampered cookie gives no session and no Set-Cookie",
    async run(context) {
      const jar = new CookieJar();
      await login(context, jar);
      const token = jar.get(NAME)!;
      const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");

      for (const value of [flipped, token.slice(0, -1), `${token}A`, "%41" + token.slice(3)]) {
        const { response } = await me(context, { headers: [["Cookie", `${NAME}=${value}`]] });
        expect(response.status).toBe(401);
        expect(response.setCookie).toEqual([]);
      }
    },
  },
  {
    name: "the session is read from the cookie only, never the query or other headers",
    async run(context) {
      const jar = new CookieJar();
      await login(context, jar);
      const token = jar.get(NAME)!;

      const { response, body } = await me(context, {
        headers: [
          ["X-Session-Id", token],
          ["Authorization", `Bearer ${token}`],
        ],
      });
      expect(response.status).toBe(401);
      expect(body.reason).toBe("missing");
      const viaQuery = await context.request(`/me?id=${token}&${NAME}=${token}`);
      expect(viaQuery.status).toBe(401);
    },
  },
  {
    name: "two Cookie header fields are read as one list (PAR-04)",
    async run(context) {
      const jar = new CookieJar();
      await login(context, jar, "user-3");
      const token = jar.get(NAME)!;

      const split = await me(context, {
        headers: [
          ["Cookie", "a=1"],
          ["Cookie", `${NAME}=${token}`],
        ],
      });
      expect(split.response.status).toBe(200);
      expect(split.body.userId).toBe("user-3");

      // One field `a=x, <name>=<token>` is also what a single cookie `a` with that value looks
      // like; splitting it at the comma would let such a cookie smuggle in a session.
      const joined = await me(context, { headers: [["Cookie", `a=x, ${NAME}=${token}`]] });
      expect(joined.response.status).toBe(401);
      expect(joined.body.reason).toBe("missing");
    },
  },
  {
    name: "the app's own Set-Cookie lines survive next to the session cookie (SER-06, FR-29)",
    async run(context) {
      const jar = new CookieJar();
      const response = await context.request("/own-cookies", { method: "POST", jar });

      expect(response.status).toBe(200);
      expect(response.setCookie).toHaveLength(3);
      expect(response.setCookie).toEqual(expect.arrayContaining([...APP_COOKIES]));
      expect(sessionCookies(response)).toHaveLength(1);
      expect(jar.get("theme")).toBe("dark");
      expect(jar.get("flash")).toBe("1");
    },
  },
  {
    name: "Set-Cookie passed to writeHead or the Response init is kept with the session cookie",
    async run(context) {
      const jar = new CookieJar();
      const response = await context.request("/writehead", { method: "POST", jar });

      expect(response.status).toBe(200);
      expect(response.setCookie).toContain("a=1");
      expect(sessionCookies(response)).toHaveLength(1);
      expect(response.headers["content-type"]).toBe("application/json");
      expectNoStore(response);
    },
  },
  {
    name: "logout clears the cookie with Max-Age=0 and the old token stops working",
    async run(context) {
      const jar = new CookieJar();
      await login(context, jar);
      const token = jar.get(NAME)!;

      const response = await context.request("/logout", { method: "POST", jar });
      const cleared = sessionCookies(response);
      expect(cleared).toHaveLength(1);
      expect(cleared[0]!.value).toBe("");
      expect(cleared[0]!.attributes.get("max-age")).toBe("0");
      expect(Date.parse(String(cleared[0]!.attributes.get("expires")))).toBeLessThan(Date.now());
      expectNoStore(response);
      expect(jar.get(NAME)).toBeUndefined();

      const replay = await me(context, { headers: [["Cookie", `${NAME}=${token}`]] });
      expect(replay.response.status).toBe(401);
    },
  },
  {
    name: "logout keeps the app's token-clearing cookie (FR-24)",
    async run(context) {
      const jar = new CookieJar();
      await login(context, jar);

      const response = await context.request("/clear-token-then-logout", { method: "POST", jar });
      expect(response.setCookie).toContain(TOKEN_CLEAR);
      expect(sessionCookies(response)).toHaveLength(1);
      expect(sessionCookies(response)[0]!.attributes.get("max-age")).toBe("0");
    },
  },
  {
    name: "rotate then logout in one request sends only the clearing cookie (SER-07)",
    async run(context) {
      const jar = new CookieJar();
      await login(context, jar);

      const response = await context.request("/rotate-then-logout", { method: "POST", jar });
      const cookies = sessionCookies(response);
      expect(cookies).toHaveLength(1);
      expect(cookies[0]!.value).toBe("");
      expect(cookies[0]!.attributes.get("max-age")).toBe("0");
    },
  },
  {
    name: "two logins in one request send one cookie, for the last session (FR-24)",
    async run(context) {
      const jar = new CookieJar();
      const response = await context.request("/login-twice", { method: "POST", jar });

      expect(sessionCookies(response)).toHaveLength(1);
      const { body } = await me(context, { jar });
      expect(body.userId).toBe("user-b");
      expect(await context.manager.listForUser("user-a")).toEqual([]);
    },
  },
  {
    name: "data set through the handle is kept by the session, with no new cookie",
    async run(context) {
      const jar = new CookieJar();
      await login(context, jar);

      const response = await context.request("/set?key=cart&value=3", { method: "POST", jar });
      expect(response.status).toBe(200);
      expect(sessionCookies(response)).toEqual([]);
      expect((await me(context, { jar })).body.data).toEqual({ cart: "3" });
    },
  },
  {
    name: "setting data without a session creates one anonymous session",
    async run(context) {
      const jar = new CookieJar();
      const response = await context.request("/set?key=theme&value=dark", { method: "POST", jar });

      expect(sessionCookies(response)).toHaveLength(1);
      const { body } = await me(context, { jar });
      expect(body.userId).toBeNull();
      expect(body.data).toEqual({ theme: "dark" });
    },
  },
  {
    name: "renewal re-sends a persistent cookie with a fresh Max-Age",
    setup: { persistentCookie: true },
    async run(context) {
      const jar = new CookieJar();
      const first = await login(context, jar);
      const issued = sessionCookies(first)[0]!;
      expect(Number(issued.attributes.get("max-age"))).toBeGreaterThan(0);

      const quiet = await me(context, { jar });
      expect(sessionCookies(quiet.response)).toEqual([]);

      context.clock.now += 10 * 60 * 1000;
      const renewed = await me(context, { jar });
      expect(renewed.response.status).toBe(200);
      const cookies = sessionCookies(renewed.response);
      expect(cookies).toHaveLength(1);
      expect(cookies[0]!.value).toBe(issued.value);
      expect(Number(cookies[0]!.attributes.get("max-age"))).toBeGreaterThan(0);
      expectNoStore(renewed.response);
    },
  },
  {
    name: "a failing store answers 503, sends no Set-Cookie and leaves the cookie working (FR-09)",
    expectedEvents: ["store.error", "session.change-failed"],
    async run(context) {
      const jar = new CookieJar();
      await login(context, jar, "user-5");

      context.store.failing = true;
      const read = await me(context, { jar });
      expect(read.response.status).toBe(503);
      expect(read.response.setCookie).toEqual([]);
      const write = await context.request("/login?user=user-6", { method: "POST", jar });
      expect(write.status).toBe(503);
      expect(write.setCookie).toEqual([]);
      const anonymous = await context.request("/set?key=a&value=b", { method: "POST" });
      expect(anonymous.status).toBe(503);
      expect(anonymous.setCookie).toEqual([]);
      // A request without a session cookie needs no store call, so it is unaffected (FR-09).
      const cookieless = await me(context, {});
      expect(cookieless.response.status).toBe(401);
      expect(cookieless.response.setCookie).toEqual([]);

      context.store.failing = false;
      expect((await me(context, { jar })).body.userId).toBe("user-5");
    },
  },
  {
    name: "a forwarded client address is ignored unless the proxy is trusted",
    async run(context) {
      const jar = new CookieJar();
      await context.request("/login", {
        method: "POST",
        jar,
        headers: [["X-Forwarded-For", "203.0.113.7"]],
      });

      const [summary] = await context.manager.listForUser("user-1");
      expect(summary?.ip).toBe("127.0.0.1");
    },
  },
  {
    name: "a trusted proxy's X-Forwarded-Proto https counts as a secure transport (FR-03 b)",
    setup: { trustProxy: ["127.0.0.1"] },
    async run(context) {
      const response = await context.request("/login", {
        method: "POST",
        headers: [
          ["X-Forwarded-For", "203.0.113.7"],
          ["X-Forwarded-Proto", "https"],
        ],
      });

      expect(sessionCookies(response)[0]?.attributes.get("secure")).toBe(true);
      const [summary] = await context.manager.listForUser("user-1");
      expect(summary?.ip).toBe("203.0.113.7");
    },
  },
  {
    name: "a Secure cookie sent to a remote client over plain HTTP is reported, not downgraded",
    setup: { trustProxy: ["127.0.0.1"] },
    expectedEvents: ["cookie.insecure-transport"],
    async run(context) {
      const response = await context.request("/login", {
        method: "POST",
        headers: [["X-Forwarded-For", "203.0.113.7"]],
      });

      expect(sessionCookies(response)[0]?.attributes.get("secure")).toBe(true);
      const reported = context.events.filter((event) => event.type === "cookie.insecure-transport");
      expect(reported).toHaveLength(1);
    },
  },
];
