/**
 * `latchkey/express`: a middleware for Express 4 and 5 that validates the session cookie and
 * puts a typed session handle on `req.session`. Needs Node 20 or later. Express itself is not
 * imported: the middleware is typed against Node's `http` types, which Express extends.
 *
 * @module latchkey/express
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ConfigError } from "../core/errors.js";
import type { SessionManager } from "../core/manager-api.js";
import { checkManager, trustProxyOf } from "./internal/adapter-options.js";
import type { SessionHandle } from "./internal/handle.js";
import { openNodeSession } from "./internal/node-session.js";
import type { TrustProxy } from "./internal/transport.js";

export type { HandleLoginOptions, SessionHandle } from "./internal/handle.js";
export type { TrustProxy } from "./internal/transport.js";

declare global {
  // Express's own types merge this namespace into `Request`, in both major versions.
  namespace Express {
    interface Request {
      /** The request's session, set by latchkey's `sessionMiddleware`. */
      session: SessionHandle;
    }
  }
}

/** Options for {@link sessionMiddleware}. */
export interface SessionMiddlewareOptions {
  /**
   * Which peers may set `X-Forwarded-Proto` and `X-Forwarded-For` (see {@link TrustProxy}).
   * Independent of Express's `trust proxy` setting, so that one cannot widen the other.
   * @default false
   */
  trustProxy?: TrustProxy;
}

/** An Express-compatible middleware, typed without Express's own types. */
export type SessionMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

// The handle is also kept under a symbol, so that getSession() finds it even where another
// middleware took `req.session`. A property rather than a WeakMap: a WeakMap entry per request
// costs the garbage collector far more than one more property on the request.
const HANDLE = Symbol.for("latchkey.express.session");

type RequestWithHandle = IncomingMessage & {
  session: SessionHandle;
  [HANDLE]?: SessionHandle;
};

/**
 * A middleware that validates the session cookie (from the `Cookie` header fields only) before
 * the route runs and sets `req.session`. A request without a cookie costs no store call.
 *
 * Changes write through: `await req.session.set({...})`, `login(userId)`, `logout()`,
 * `rotate()`, `revoke(id?)` and `revokeAllOthers()` each resolve once the store has committed
 * them and reject with the store's error otherwise, so the route sees the failure. The cookie a
 * change needs is written when the response headers go out, exactly one per response, with
 * `Cache-Control: no-store` and `Vary: Cookie`; a request that changed nothing gets no
 * Set-Cookie and no store write beyond the manager's renewal.
 *
 * A `StoreError` while validating goes to `next(err)` (answer it with 503); the client's cookie
 * is left alone. On Express 4 a rejected change in an `async` route must be passed to `next`
 * by the route itself; Express 5 does it.
 *
 * @throws ConfigError when `manager` is not a session manager or `trustProxy` is not a valid
 * value (a name such as `"loopback"` or a range is not: list addresses, or pass a function).
 *
 * Limitation: `req.session` is also the name express-session uses, and both packages declare
 * its type, so the two cannot be installed side by side in one TypeScript project; use
 * {@link getSession} where that matters.
 */
export function sessionMiddleware(
  manager: SessionManager,
  options: SessionMiddlewareOptions = {},
): SessionMiddleware {
  checkManager(manager);
  const trustProxy = trustProxyOf(options);

  return (req, res, next) => {
    openNodeSession(manager, req, res, trustProxy).then(
      (handle) => {
        const target = req as RequestWithHandle;
        target[HANDLE] = handle;
        target.session = handle;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/**
 * The session handle {@link sessionMiddleware} put on this request, without relying on the
 * `req.session` type declaration.
 * @throws ConfigError when the middleware did not run for this request.
 */
export function getSession(req: IncomingMessage): SessionHandle {
  const handle = (req as RequestWithHandle)[HANDLE];
  if (handle === undefined) {
    throw new ConfigError("express.sessionMiddleware", "mount sessionMiddleware before this route");
  }
  return handle;
}
