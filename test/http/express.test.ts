import { createServer } from "node:http";
import express5 from "express";
import express4 from "express4";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, isLatchkeyError } from "../../src/core/errors.js";
import { getSession, sessionMiddleware } from "../../src/http/express.js";
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
