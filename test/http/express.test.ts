import { createServer } from "node:http";
import express5 from "express";
import express4 from "express4";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  HeadersSentError,
  isLatchkeyError,
  StoreError,
} from "../../src/core/errors.js";
import type { SessionEvent } from "../../src/core/events.js";
import type { SessionManager } from "../../src/core/manager-api.js";
import {
  getSession,
  sessionMiddleware,
  type SessionMiddlewareOptions,
} from "../../src/http/express.js";
import { createSessionManager } from "../../src/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { CookieJar, cookiesNamed, listen, send, type Listening } from "../support/http.js";
import { FailingStore } from "./failing-store.js";

const NAME = "__Host-sid";

describe.each([
  ["express 5", express5],
  ["express 4", express4],
] as const)("sessionMiddleware on %s", (_label, express) => {
  let server: Listening | null = null;

  afterEach(async () => {
    await server?.close();
    server = null;
  });

  function build(store = new FailingStore(new MemoryStore())) {
    const manager = createSessionManager({ store });
    const app = express();
    const errors: unknown[] = [];
    app.use(sessionMiddleware(manager));
    return { app, manager, store, errors };
  }

  function errorHandler(errors: unknown[]) {
    return (
      error: unknown,
      _req: express5.Request,
      res: express5.Response,
      _next: express5.NextFunction,
    ) => {
      errors.push(error);
      res.status(503).json({ error: "store" });
    };
  }

  it("types req.session for routes and passes a validate StoreError to next(err)", async () => {
    const { app, store, errors } = build();
    app.post("/login", (req, res, next) => {
      req.session.login("user-1").then(() => res.json({ userId: req.session.userId }), next);
    });
    app.get("/me", (req, res) => {
      res.json({ userId: req.session.userId });
    });
    app.use(errorHandler(errors));
    server = await listen(createServer(app));
    const jar = new CookieJar();
    await send(server.url, "/login", { method: "POST", jar });

    store.failing = true;
    const response = await send(server.url, "/me", { jar });
    expect(response.status).toBe(503);
    expect(response.setCookie).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(isLatchkeyError(errors[0]) && errors[0].code).toBe("store-unavailable");
  });

  it("waits at res.end for a change the route did not await, then sends its cookie", async () => {
    const { app } = build();
    app.post("/login", (req, res) => {
      void getSession(req).login("user-2");
      res.json({ ok: true });
    });
    app.get("/me", (req, res) => {
      res.json({ userId: getSession(req).userId });
    });
    server = await listen(createServer(app));
    const jar = new CookieJar();

    const response = await send(server.url, "/login", { method: "POST", jar });
    expect(cookiesNamed(response, NAME)).toHaveLength(1);
    expect(JSON.parse((await send(server.url, "/me", { jar })).body).userId).toBe("user-2");
  });

  it("overrides a cacheable Cache-Control and extends Vary when the cookie is sent", async () => {
    const { app } = build();
    app.post("/login", async (req, res, next) => {
      res.set({ "Cache-Control": "public, max-age=600", Vary: "Accept-Encoding" });
      try {
        await req.session.login("user-3");
        res.send("ok");
      } catch (error) {
        next(error);
      }
    });
    server = await listen(createServer(app));

    const response = await send(server.url, "/login", { method: "POST" });
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers["vary"]).toBe("Accept-Encoding, Cookie");
  });

  it("leaves Cache-Control alone on responses that send no session cookie", async () => {
    const { app } = build();
    app.get("/public", (_req, res) => {
      res.set("Cache-Control", "public, max-age=600").send("ok");
    });
    server = await listen(createServer(app));

    const response = await send(server.url, "/public");
    expect(response.headers["cache-control"]).toBe("public, max-age=600");
    expect(response.setCookie).toEqual([]);
  });

  it("rejects the awaited change when the store fails, and sends no cookie", async () => {
    const { app, store, errors } = build();
    app.post("/login", (req, res, next) => {
      store.failing = true;
      req.session.login("user-4").then(() => res.send("ok"), next);
    });
    app.use(errorHandler(errors));
    server = await listen(createServer(app));

    const response = await send(server.url, "/login", { method: "POST" });
    expect(response.status).toBe(503);
    expect(response.setCookie).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it("mounted on app and router, a login over an expired cookie sends one cookie", async () => {
    let now = Date.now();
    const store = new FailingStore(new MemoryStore({ now: () => now }));
    const manager = createSessionManager({ store, now: () => now });
    const app = express();
    const router = express.Router();
    const middleware = sessionMiddleware(manager);
    app.use(middleware);
    router.use(middleware);
    router.post("/login", async (req, res, next) => {
      try {
        await req.session.login(`user-${req.query.n}`);
        res.send("ok");
      } catch (error) {
        next(error);
      }
    });
    router.get("/me", (req, res) => {
      res.json({ userId: req.session.userId });
    });
    app.use("/account", router);
    server = await listen(createServer(app));
    const jar = new CookieJar();
    await send(server.url, "/account/login?n=1", { method: "POST", jar });
    // Past the 30-minute idle timeout, inside the minute the store keeps the record for, so the
    // first validation answers expired-idle with a clearing cookie.
    now += 30 * 60_000 + 10_000;

    const relogin = await send(server.url, "/account/login?n=2", { method: "POST", jar });
    const me = await send(server.url, "/account/me", { jar });

    const lines = cookiesNamed(relogin, NAME);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.value).not.toBe("");
    expect(JSON.parse(me.body).userId).toBe("user-2");
  });

  it("refuses a change that needs a cookie after the response, writing nothing", async () => {
    const events: SessionEvent[] = [];
    const store = new FailingStore(new MemoryStore());
    const manager = createSessionManager({ store, onEvent: (event) => events.push(event) });
    const app = express();
    app.use(sessionMiddleware(manager));
    const late: Promise<unknown>[] = [];
    app.post("/login", (req, res, next) => {
      req.session.login("user-7").then(() => res.send("ok"), next);
    });
    app.post("/rotate-after-end", (req, res) => {
      res.send("sent");
      late.push(req.session.rotate().catch((error: unknown) => error));
      late.push(req.session.set({ seen: true }).then(() => "kept"));
    });
    app.get("/me", (req, res) => {
      res.json({ userId: req.session.userId, seen: req.session.get("seen") ?? null });
    });
    server = await listen(createServer(app));
    const jar = new CookieJar();
    await send(server.url, "/login", { method: "POST", jar });
    const writesBefore = store.writes;

    const response = await send(server.url, "/rotate-after-end", { method: "POST", jar });
    const [rotation, update] = await Promise.all(late);
    const me = await send(server.url, "/me", { jar });

    expect(response.setCookie).toEqual([]);
    expect(rotation).toBeInstanceOf(HeadersSentError);
    expect(update).toBe("kept");
    expect(store.writes).toBe(writesBefore + 1);
    expect(JSON.parse(me.body)).toEqual({ userId: "user-7", seen: true });
    expect(events).toContainEqual(
      expect.objectContaining({ type: "session.change-failed", operation: "rotate" }),
    );
    expect(events.filter((event) => event.type === "store.error")).toEqual([]);
  });

  it("still ends the session on a logout after the response is sent", async () => {
    const { app } = build();
    let late: Promise<unknown> = Promise.resolve();
    app.post("/login", (req, res, next) => {
      req.session.login("user-8").then(() => res.send("ok"), next);
    });
    app.post("/logout-after-end", (req, res) => {
      res.send("sent");
      late = req.session.logout().then(() => "revoked");
    });
    app.get("/me", (req, res) => {
      res.json({ userId: req.session.userId, reason: req.session.reason });
    });
    server = await listen(createServer(app));
    const jar = new CookieJar();
    await send(server.url, "/login", { method: "POST", jar });

    const response = await send(server.url, "/logout-after-end", { method: "POST", jar });
    const outcome = await late;
    const me = await send(server.url, "/me", { jar });

    expect(response.setCookie).toEqual([]);
    expect(outcome).toBe("revoked");
    expect(JSON.parse(me.body)).toEqual({ userId: null, reason: "revoked" });
  });

  it("reports a failed unawaited change instead of an unhandled rejection", async () => {
    const events: SessionEvent[] = [];
    const store = new FailingStore(new MemoryStore());
    const manager = createSessionManager({ store, onEvent: (event) => events.push(event) });
    const app = express();
    app.use(sessionMiddleware(manager));
    app.post("/fire-and-forget", (req, res) => {
      store.failing = true;
      void req.session.set({ cart: 1 });
      res.send("ok");
    });
    server = await listen(createServer(app));

    const response = await send(server.url, "/fire-and-forget", { method: "POST" });

    expect(response.status).toBe(200);
    expect(response.setCookie).toEqual([]);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "session.change-failed",
        operation: "set",
        error: expect.any(StoreError),
      }),
    );
  });

  it("stores no anonymous session for keys JSON drops", async () => {
    const { app, store } = build();
    app.post("/set", async (req, res) => {
      await req.session.set({ a: undefined } as unknown as Record<string, never>);
      res.json({ id: req.session.id });
    });
    server = await listen(createServer(app));

    const response = await send(server.url, "/set", { method: "POST" });

    expect(JSON.parse(response.body)).toEqual({ id: null });
    expect(response.setCookie).toEqual([]);
    expect(store.writes).toBe(0);
  });
});

describe("sessionMiddleware options", () => {
  const manager = createSessionManager();

  it.each([["loopback"], ["127.0.0.1"], [["127.0.0.1/8"]], [["loopback"]], [[5]], [1]])(
    "throws ConfigError(trustProxy) when built with trustProxy %j",
    (trustProxy) => {
      const build = () =>
        sessionMiddleware(manager, { trustProxy } as unknown as SessionMiddlewareOptions);

      expect(build).toThrow(ConfigError);
      expect(build).toThrow(/^trustProxy: /);
    },
  );

  it.each([[true], [false], [["127.0.0.1", "::1", "::ffff:10.0.0.1"]], [() => true]])(
    "accepts trustProxy %j",
    (trustProxy) => {
      expect(() => sessionMiddleware(manager, { trustProxy })).not.toThrow();
    },
  );

  it.each([[undefined], [null], [{}], [{ cookieName: "sid", validateCookieHeader: () => null }]])(
    "throws ConfigError(manager) for %j",
    (value) => {
      const build = () => sessionMiddleware(value as unknown as SessionManager);

      expect(build).toThrow(ConfigError);
      expect(build).toThrow(/^manager: /);
    },
  );
});

describe("getSession", () => {
  it("throws a ConfigError naming the middleware when it did not run", async () => {
    const app = express5();
    let thrown: unknown = null;
    app.get("/", (req, res) => {
      try {
        getSession(req);
      } catch (error) {
        thrown = error;
      }
      res.send("ok");
    });
    const server = await listen(createServer(app));
    await send(server.url, "/");
    await server.close();

    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).field).toBe("express.sessionMiddleware");
  });
});
