import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { RequestSession } from "./handle.js";
import { reportInsecureTransport, reportLateChange } from "./events.js";
import { SESSION_CACHE_CONTROL, setsCookie, varyWithCookie } from "./headers.js";
import { resolveTransport, type Transport, type TrustProxy } from "./transport.js";

/**
 * Node `http` plumbing shared by `latchkey/node` and `latchkey/express`: reading the request's
 * facts and writing the session cookie into a `ServerResponse` as its headers go out. Node types
 * come in with `import type` only.
 */

/** The raw `Cookie` header fields, one entry per field as the client sent them (PAR-04). */
export function cookieFields(req: IncomingMessage): string[] {
  // Node joins repeated Cookie fields into req.headers.cookie, so they are read from rawHeaders,
  // which keeps them apart. (headersDistinct would too, but it builds an object of every header
  // on each request.) Objects that only look like an IncomingMessage fall back to req.headers.
  const raw = req.rawHeaders;
  if (!Array.isArray(raw)) return fallbackCookieFields(req);

  const fields: string[] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index] as string;
    if (name.length !== 6) continue;
    if (name === "cookie" || name === "Cookie" || name.toLowerCase() === "cookie") {
      fields.push(raw[index + 1] as string);
    }
  }
  return fields;
}

function fallbackCookieFields(req: IncomingMessage): string[] {
  const value = req.headers?.cookie;
  if (Array.isArray(value)) return [...value];
  return typeof value === "string" ? [value] : [];
}

function singleHeader(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (Array.isArray(value)) return value.join(", ");
  return value ?? null;
}

/** The transport of a Node request, with the forwarded headers counted only when trusted. */
export function nodeTransport(req: IncomingMessage, trustProxy: TrustProxy): Transport {
  const socket = req.socket as (typeof req.socket & { encrypted?: boolean }) | undefined;

  return resolveTransport(
    {
      peerAddress: socket?.remoteAddress ?? null,
      encrypted: socket?.encrypted === true,
      forwardedProto: singleHeader(req, "x-forwarded-proto"),
      forwardedFor: singleHeader(req, "x-forwarded-for"),
      host: singleHeader(req, "host"),
    },
    trustProxy,
  );
}

/** The `User-Agent` header, cut to the 512 characters a record keeps. */
export function userAgentOf(req: IncomingMessage): string | null {
  return singleHeader(req, "user-agent")?.slice(0, 512) ?? null;
}

/**
 * Writes the handle's Set-Cookie (if any) into the response headers: one line for the session
 * name, replacing any earlier one, next to the app's own Set-Cookie lines, plus the caching
 * headers that must travel with it.
 */
function writeSessionHeaders(res: ServerResponse, handle: RequestSession): void {
  const line = handle.setCookie;
  if (line === null) return;

  const { manager, transport } = handle.context;
  const existing = res.getHeader("set-cookie");
  const lines = existing === undefined ? [] : Array.isArray(existing) ? existing : [`${existing}`];
  const kept = lines.filter((entry) => !setsCookie(entry, manager.cookieName));

  res.setHeader("Set-Cookie", [...kept, line]);
  res.setHeader("Cache-Control", SESSION_CACHE_CONTROL);
  const vary = res.getHeader("vary");
  res.setHeader("Vary", varyWithCookie(vary === undefined ? null : `${vary}`));
  reportInsecureTransport(manager, transport, line);
}

type HeaderValue = OutgoingHttpHeaders[string];

function applyHeader(res: ServerResponse, name: string, value: HeaderValue): void {
  if (value === undefined) return;

  // Set-Cookie lines from writeHead join the ones already set instead of replacing them, so the
  // app's cookies and the session cookie both go out, each in its own field (SER-06).
  if (name.toLowerCase() === "set-cookie") {
    res.appendHeader("Set-Cookie", Array.isArray(value) ? value : `${value}`);
    return;
  }
  res.setHeader(name, value);
}

// writeHead(status, headers) overrides headers set before it. Moving its headers onto the
// response first keeps Node's precedence for everything but Set-Cookie, which is appended.
// @returns what to hand to the original writeHead: nothing once absorbed, or the headers as
// given when they are not a shape this understands (so Node accepts or rejects them itself).
function absorbHeaders(res: ServerResponse, headers: unknown): unknown {
  if (Array.isArray(headers)) {
    const names = headers.filter((_, index) => index % 2 === 0);
    const understood = headers.length % 2 === 0 && names.every((name) => typeof name === "string");
    if (!understood) return headers;

    for (let index = 0; index < headers.length; index += 2) {
      const name = `${headers[index]}`;
      if (name.toLowerCase() !== "set-cookie") res.removeHeader(name);
    }
    for (let index = 0; index < headers.length; index += 2) {
      const name = `${headers[index]}`;
      const value = String(headers[index + 1]);
      if (name.toLowerCase() === "set-cookie") applyHeader(res, name, value);
      else res.appendHeader(name, value);
    }
    return undefined;
  }

  if (typeof headers === "object" && headers !== null) {
    for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
      applyHeader(res, name, value);
    }
  }
  return undefined;
}

/**
 * Hooks a response so that the handle's cookie is written when the headers go out, whoever
 * sends them (`writeHead`, the first `write`, `end`, a framework's `send`), and so that `end`
 * waits for changes still being written. The handle's changes are awaited by the app, so the
 * store work is done before this runs; a change that has not settled when the headers leave
 * sends no cookie (a cookie is only ever sent for committed state) and is reported as a
 * `store.error` event with operation `respond`.
 */
export function hookResponse(res: ServerResponse, handle: RequestSession): void {
  // Too late to carry anything. A change that needs a cookie is refused by the handle
  // (HeadersSentError); the others (data of a live session, other sessions) need none.
  if (res.headersSent) return;

  const originalWriteHead = res.writeHead;
  const originalEnd = res.end;
  let written = false;

  const writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    if (written || this.headersSent)
      return Reflect.apply(originalWriteHead, this, [statusCode, ...rest]);
    written = true;

    const reason = typeof rest[0] === "string" ? rest[0] : undefined;
    const headers = typeof rest[0] === "string" ? rest[1] : rest[0];
    const leftover = absorbHeaders(this, headers);
    if (handle.busy) reportLateChange(handle);

    writeSessionHeaders(this, handle);
    const args: unknown[] = reason === undefined ? [statusCode] : [statusCode, reason];
    if (leftover !== undefined) args.push(leftover);
    return Reflect.apply(originalWriteHead, this, args);
  };

  const end = function (this: ServerResponse, ...args: unknown[]) {
    if (!handle.busy || this.headersSent) return Reflect.apply(originalEnd, this, args);

    void handle.settled().then(() => Reflect.apply(originalEnd, this, args));
    return this;
  };

  res.writeHead = writeHead as ServerResponse["writeHead"];
  res.end = end as ServerResponse["end"];
}
