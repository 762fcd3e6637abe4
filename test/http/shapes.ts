/**
 * The same small app written once per request shape, each in its own idiom: Node `http` with
 * `latchkey/node`, a Fetch handler with `latchkey/fetch` (served through a node:http bridge),
 * and Express 5 and Express 4 with `latchkey/express`. The cases in `cases.ts` drive all four.
 *
 * Routes: GET /me, POST /login?user=&persistent=, POST /login-redirect?user=, POST /logout,
 * POST /set?key=&value=, POST /own-cookies?user=, POST /clear-token-then-logout,
 * POST /rotate-then-logout, POST /login-twice, POST /writehead?user=. A StoreError answers 503.
 */
import { createServer, type ServerResponse } from "node:http";
import express5 from "express";
import express4 from "express4";
import { isLatchkeyError } from "../../src/core/errors.js";
import type { SessionManager } from "../../src/core/manager-api.js";
import { getSession, sessionMiddleware } from "../../src/http/express.js";
import { loadSession as loadFetchSession, writeSessionCookie } from "../../src/http/fetch.js";
import { loadSession as loadNodeSession, type SessionHandle } from "../../src/http/node.js";
import type { TrustProxy } from "../../src/http/internal/transport.js";
import { listen, serveFetch, type Listening } from "../support/http.js";

/** App cookies set by /own-cookies; the second has a comma in Expires (FR-29). */
export const APP_COOKIES = [
  "theme=dark; Path=/",
  "flash=1; Path=/; Expires=Wed, 01 Jan 2031 00:00:00 GMT",
] as const;
/** The app's token-clearing cookie set by /clear-token-then-logout (FR-24). */
export const TOKEN_CLEAR = "token=; Max-Age=0; Path=/";

/** One request shape under test. */
export interface Shape {
  name: string;
  start(manager: SessionManager, options: { trustProxy?: TrustProxy }): Promise<Listening>;
}

interface Reply {
  status: number;
  body: unknown;
  redirect?: string;
  /** Set-Cookie lines the app sets itself, before or besides the session's. */
  appCookies?: readonly string[];
  /** Whether the app passes its cookies to writeHead (Node/Express) or the Response init. */
  cookiesInHead?: boolean;
}

/** The app's logic, shared by every shape; only reading and writing differ between them. */
async function route(method: string, url: URL, session: SessionHandle): Promise<Reply> {
  const user = url.searchParams.get("user") ?? "user-1";
  const key = `${method} ${url.pathname}`;

  switch (key) {
    case "GET /me":
      if (session.session === null) return { status: 401, body: { reason: session.reason } };
      return { status: 200, body: { userId: session.userId, id: session.id, data: session.data } };
    case "POST /login": {
      const persistent = url.searchParams.get("persistent");
      await session.login(user, persistent === null ? {} : { persistent: persistent === "1" });
      return { status: 200, body: { id: session.id } };
    }
    case "POST /login-redirect":
      await session.login(user);
      return { status: 303, body: null, redirect: "/" };
    case "POST /login-twice":
      await session.login("user-a");
      await session.login("user-b");
      return { status: 200, body: { id: session.id } };
    case "POST /logout":
      await session.logout();
      return { status: 200, body: { ok: true } };
    case "POST /set":
      await session.set({ [url.searchParams.get("key") ?? "k"]: url.searchParams.get("value") });
      return { status: 200, body: { data: session.data } };
    case "POST /own-cookies":
      await session.login(user);
      return { status: 200, body: { ok: true }, appCookies: APP_COOKIES };
    case "POST /clear-token-then-logout":
      await session.logout();
      return { status: 200, body: { ok: true }, appCookies: [TOKEN_CLEAR] };
    case "POST /rotate-then-logout":
      await session.rotate();
      await session.logout();
      return { status: 200, body: { ok: true } };
    case "POST /writehead":
      await session.login(user);
      return { status: 200, body: { ok: true }, appCookies: ["a=1"], cookiesInHead: true };
    default:
      return { status: 404, body: { error: "not found" } };
  }
}

function failure(error: unknown): Reply {
  const store = isLatchkeyError(error) && error.code.startsWith("store-");
  return { status: store ? 503 : 500, body: { error: store ? "store unavailable" : "internal" } };
}

// Node http and Express share the way a reply is written onto a ServerResponse.
function writeNodeReply(res: ServerResponse, reply: Reply): void {
  const body = reply.body === null ? "" : JSON.stringify(reply.body);
  const cookies = reply.appCookies ?? [];

  if (reply.cookiesInHead === true) {
    const raw = cookies.flatMap((line) => ["Set-Cookie", line]);
    res.writeHead(reply.status, [...raw, "Content-Type", "application/json"]);
    res.end(body);
    return;
  }

  if (cookies.length > 0) res.setHeader("Set-Cookie", [...cookies]);
  if (reply.redirect !== undefined) res.setHeader("Location", reply.redirect);
  res.setHeader("Content-Type", "application/json");
  res.statusCode = reply.status;
  res.end(body);
}

const nodeShape: Shape = {
  name: "node http",
  start(manager, options) {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      loadNodeSession(manager, req, res, options)
        .then((session) => route(req.method ?? "GET", url, session))
        .then(
          (reply) => writeNodeReply(res, reply),
          (error: unknown) => writeNodeReply(res, failure(error)),
        );
    });
    return listen(server);
  },
};

const fetchShape: Shape = {
  name: "fetch",
  start(manager, options) {
    const server = serveFetch(async (request, info) => {
      const url = new URL(request.url);
      let session: SessionHandle | null = null;
      let reply: Reply;
      try {
        session = await loadFetchSession(manager, request, { ...options, ip: info.ip });
        reply = await route(request.method, url, session);
      } catch (error) {
        reply = failure(error);
      }

      const headers = new Headers({ "content-type": "application/json" });
      for (const line of reply.appCookies ?? []) headers.append("set-cookie", line);
      const response =
        reply.redirect !== undefined
          ? Response.redirect(new URL(reply.redirect, url), 303)
          : new Response(reply.body === null ? null : JSON.stringify(reply.body), {
              status: reply.status,
              headers,
            });
      return session === null ? response : writeSessionCookie(response, session);
    });
    return listen(server);
  },
};

function expressShape(name: string, express: typeof express5): Shape {
  return {
    name,
    start(manager, options) {
      const app = express();
      app.use(sessionMiddleware(manager, options));

      // One catch-all middleware: route syntax differs between the majors, `use` does not.
      app.use((req, res, next) => {
        const url = new URL(req.originalUrl, "http://127.0.0.1");
        route(req.method, url, getSession(req)).then((reply) => {
          if (reply.cookiesInHead === true) return writeNodeReply(res, reply);
          for (const line of reply.appCookies ?? []) res.append("Set-Cookie", line);
          if (reply.redirect !== undefined) return res.redirect(303, reply.redirect);
          res.status(reply.status).json(reply.body);
        }, next);
      });

      app.use(
        (
          error: unknown,
          _req: express5.Request,
          res: express5.Response,
          _next: express5.NextFunction,
        ) => {
          const reply = failure(error);
          res.status(reply.status).json(reply.body);
        },
      );
      return listen(createServer(app));
    },
  };
}

/** Every request shape, for `describe.each`. */
export const SHAPES: readonly Shape[] = [
  nodeShape,
  fetchShape,
  expressShape("express 5", express5),
  expressShape("express 4", express4),
];
