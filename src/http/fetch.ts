/**
 * `latchkey/fetch`: sessions for Fetch-style handlers (`Request` in, `Response` out): Bun, Deno,
 * Cloudflare Workers (workerd), Node's own `Request`, and frameworks built on them. Web APIs only:
 * no `node:*`, no `Buffer`, no `process`.
 *
 * @module latchkey/fetch
 */
import type { RequestContext, SessionManager } from "../core/manager-api.js";
import { reportInsecureTransport, reportLateChange } from "./internal/events.js";
import { checkManager, trustProxyOf } from "./internal/adapter-options.js";
import { isRequestSession, RequestSession, type SessionHandle } from "./internal/handle.js";
import { SESSION_CACHE_CONTROL, setsCookie, varyWithCookie } from "./internal/headers.js";
import { resolveTransport, type Transport, type TrustProxy } from "./internal/transport.js";

export type { HandleLoginOptions, SessionHandle } from "./internal/handle.js";
export type { TrustProxy } from "./internal/transport.js";

/** Options for reading a session from a `Request`. */
export interface FetchSessionOptions {
  /**
   * The client's address as the runtime reports it (Deno's `info.remoteAddr.hostname`, Bun's
   * `server.requestIP(req)`, a platform header you trust). A `Request` does not carry it.
   * @default null
   */
  ip?: string | null;
  /**
   * Which peers may set `X-Forwarded-Proto` and `X-Forwarded-For` (see {@link TrustProxy}). A
   * list or a function is checked against `ip`, so it needs `ip`.
   * @default false
   */
  trustProxy?: TrustProxy;
}

function fetchTransport(request: Request, options: FetchSessionOptions): Transport {
  const trustProxy = trustProxyOf(options);
  let protocol = "";
  let host: string | null = null;
  try {
    const url = new URL(request.url);
    protocol = url.protocol;
    host = url.host;
  } catch {
    // A relative or odd URL tells nothing about the transport.
  }

  return resolveTransport(
    {
      peerAddress: options.ip ?? null,
      encrypted: protocol === "https:",
      forwardedProto: request.headers.get("x-forwarded-proto"),
      forwardedFor: request.headers.get("x-forwarded-for"),
      host,
    },
    trustProxy,
  );
}

/**
 * The client facts of a request, for binding checks and a user's device list: `options.ip` (or
 * the nearest `X-Forwarded-For` entry when trusted) and the User-Agent.
 */
export function requestContext(
  request: Request,
  options: FetchSessionOptions = {},
): Required<RequestContext> {
  const transport = fetchTransport(request, options);
  const userAgent = request.headers.get("user-agent")?.slice(0, 512) ?? null;
  return { ip: transport.clientIp, userAgent };
}

/**
 * Validates the request's session cookie. The session is read from the `Cookie` header only
 * (never the URL, the body or other headers).
 *
 * A runtime that received several `Cookie` fields hands them over joined: HTTP/2 runtimes join
 * with `; ` (RFC 9113, 8.2.3) and they read as one list; a runtime that joins with `, ` gives
 * a value in which the session cookie is not found ("no session"), never a session taken from a
 * mis-split value.
 *
 * Await each change on the handle, then pass the response through {@link writeSessionCookie}.
 * @throws StoreError when the store cannot answer (answer 503; the client's cookie is left alone).
 */
export async function loadSession(
  manager: SessionManager,
  request: Request,
  options: FetchSessionOptions = {},
): Promise<SessionHandle> {
  checkManager(manager);
  const transport = fetchTransport(request, options);
  const userAgent = request.headers.get("user-agent")?.slice(0, 512) ?? null;
  const client = { ip: transport.clientIp, userAgent };

  const result = await manager.validateCookieHeader(request.headers.get("cookie"), client);
  return new RequestSession({ manager, transport, client }, result);
}

/**
 * Adds one session Set-Cookie line to `headers` with `append`, replacing an earlier line for the
 * same cookie name and keeping every other cookie, each in its own field (`getSetCookie()` lists
 * them; nothing is comma-joined). Also sets `Cache-Control: no-store` and adds `Cookie` to
 * `Vary`.
 */
export function appendSessionCookie(headers: Headers, cookieName: string, setCookie: string): void {
  const lines = headers.getSetCookie();
  if (lines.some((line) => setsCookie(line, cookieName))) {
    headers.delete("set-cookie");
    for (const line of lines) {
      if (!setsCookie(line, cookieName)) headers.append("set-cookie", line);
    }
  }

  headers.append("set-cookie", setCookie);
  headers.set("cache-control", SESSION_CACHE_CONTROL);
  headers.set("vary", varyWithCookie(headers.get("vary")));
}

/**
 * Writes the handle's Set-Cookie (if a change needs one) onto a response or a `Headers` object.
 * Returns the response to send: the same one, or a copy when its headers are immutable (as with
 * `Response.redirect()` or a `fetch()` result). With nothing to write, or onto a network error
 * (`Response.error()`, which has no headers), the target is returned untouched.
 * @throws TypeError when `session` is not a handle from {@link loadSession} (of either build).
 */
export function writeSessionCookie(target: Response, session: SessionHandle): Response;
export function writeSessionCookie(target: Headers, session: SessionHandle): Headers;
export function writeSessionCookie(
  target: Response | Headers,
  session: SessionHandle,
): Response | Headers {
  if (!isRequestSession(session)) {
    throw new TypeError("writeSessionCookie: session must be the handle loadSession() gave");
  }
  // The cookie is read now: a change still being written (not awaited) is not in it.
  if (session.busy) reportLateChange(session);
  const line = session.setCookie;
  // A network error (Response.error()) carries no headers at all.
  if (line === null || (target instanceof Response && target.type === "error")) return target;

  const { manager, transport } = session.context;
  reportInsecureTransport(manager, transport, line);
  if (target instanceof Headers) {
    appendSessionCookie(target, manager.cookieName, line);
    return target;
  }

  try {
    appendSessionCookie(target.headers, manager.cookieName, line);
    return target;
  } catch {
    // Immutable headers: copy the response (status, text, headers and body stream) and write
    // into the copy instead.
    const copy = new Response(target.body, target);
    appendSessionCookie(copy.headers, manager.cookieName, line);
    return copy;
  }
}
