/**
 * A tiny real HTTP client with a cookie jar, and a node:http → Fetch bridge, for the request-shape
 * and example tests. Everything listens on 127.0.0.1 port 0 and talks over real sockets.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from "node:http";
import type { AddressInfo } from "node:net";

/** A response as the client saw it. */
export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every Set-Cookie field, one entry each, as sent. */
  setCookie: string[];
  body: string;
}

/** The parsed attributes of a Set-Cookie line (names lower-cased, values as sent). */
export interface ParsedSetCookie {
  name: string;
  value: string;
  attributes: Map<string, string | true>;
}

/** Parses one Set-Cookie line the way a user agent reads it (RFC 6265bis, 5.6). */
export function parseSetCookieLine(line: string): ParsedSetCookie {
  const [pair = "", ...rest] = line.split(";");
  const equals = pair.indexOf("=");
  const name = (equals === -1 ? "" : pair.slice(0, equals)).trim();
  const value = (equals === -1 ? pair : pair.slice(equals + 1)).trim();

  const attributes = new Map<string, string | true>();
  for (const part of rest) {
    const index = part.indexOf("=");
    const key = (index === -1 ? part : part.slice(0, index)).trim().toLowerCase();
    if (key !== "") attributes.set(key, index === -1 ? true : part.slice(index + 1).trim());
  }
  return { name, value, attributes };
}

/** The Set-Cookie lines of a response that set `name`. */
export function cookiesNamed(response: ClientResponse, name: string): ParsedSetCookie[] {
  return response.setCookie.map(parseSetCookieLine).filter((cookie) => cookie.name === name);
}

/**
 * A cookie jar for one origin, like a browser's or curl's: it keeps name → value, drops a cookie
 * on Max-Age ≤ 0 or a past Expires, and sends the rest back in one `Cookie` field.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Takes in the Set-Cookie lines of a response. */
  store(lines: readonly string[]): void {
    for (const line of lines) {
      const cookie = parseSetCookieLine(line);
      if (cookie.name === "") continue;

      const maxAge = cookie.attributes.get("max-age");
      const expires = cookie.attributes.get("expires");
      const expired =
        (typeof maxAge === "string" && Number(maxAge) <= 0) ||
        (maxAge === undefined && typeof expires === "string" && Date.parse(expires) <= Date.now());
      if (expired) this.#cookies.delete(cookie.name);
      else this.#cookies.set(cookie.name, cookie.value);
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  set(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  names(): string[] {
    return [...this.#cookies.keys()];
  }

  /** The `Cookie` field value, or `null` when the jar is empty. */
  header(): string | null {
    if (this.#cookies.size === 0) return null;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

/** What to send. */
export interface ClientRequest {
  method?: string;
  /** Extra header fields, in order; a name may repeat (two `Cookie` fields stay two fields). */
  headers?: Array<[string, string]>;
  /** A form body (`application/x-www-form-urlencoded`). */
  form?: Record<string, string>;
  /** The jar to send from and store into. */
  jar?: CookieJar;
}

/** Sends one request over a real socket and reads the whole response. */
export function send(
  baseUrl: string,
  path: string,
  options: ClientRequest = {},
): Promise<ClientResponse> {
  const url = new URL(path, baseUrl);
  const body = options.form === undefined ? null : new URLSearchParams(options.form).toString();

  // A flat raw header list: Node writes each pair as its own field, even for repeated names
  // (an object or an array value would have Cookie fields joined into one).
  const raw: string[] = ["Host", url.host, "Connection", "close"];
  const jarHeader = options.jar?.header() ?? null;
  if (jarHeader !== null) raw.push("Cookie", jarHeader);
  for (const [name, value] of options.headers ?? []) raw.push(name, value);
  if (body !== null) {
    raw.push("Content-Type", "application/x-www-form-urlencoded");
    raw.push("Content-Length", String(Buffer.byteLength(body)));
  }

  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? "GET",
        headers: raw,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const setCookie = res.headers["set-cookie"] ?? [];
          options.jar?.store(setCookie);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            setCookie,
            body: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body ?? undefined);
  });
}

/** A listening server and how to stop it. */
export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Starts `server` on 127.0.0.1, port 0. */
export function listen(server: Server): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A Fetch handler, with the peer address the runtime would report. */
export type FetchHandler = (request: Request, info: { ip: string | null }) => Promise<Response>;

/**
 * Serves a Fetch handler over node:http, as a runtime would: repeated `Cookie` fields are joined
 * with `; ` (the HTTP/2 rule, RFC 9113 8.2.3); Set-Cookie lines go out one field each, from
 * `getSetCookie()`.
 */
export function serveFetch(handler: FetchHandler): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers = new Headers();
      const cookies: string[] = [];
      for (let index = 0; index + 1 < req.rawHeaders.length; index += 2) {
        const name = req.rawHeaders[index] ?? "";
        const value = req.rawHeaders[index + 1] ?? "";
        if (name.toLowerCase() === "cookie") cookies.push(value);
        else headers.append(name, value);
      }
      if (cookies.length > 0) headers.set("cookie", cookies.join("; "));

      const method = req.method ?? "GET";
      const body = method === "GET" || method === "HEAD" ? null : Buffer.concat(chunks);
      const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`, {
        method,
        headers,
        body,
      });

      handler(request, { ip: req.socket.remoteAddress ?? null })
        .then(async (response) => {
          const outgoing: Array<[string, string]> = [];
          response.headers.forEach((value, name) => {
            if (name !== "set-cookie") outgoing.push([name, value]);
          });
          for (const [name, value] of outgoing) res.setHeader(name, value);
          const setCookie = response.headers.getSetCookie();
          if (setCookie.length > 0) res.setHeader("set-cookie", setCookie);
          res.statusCode = response.status;
          res.end(Buffer.from(await response.arrayBuffer()));
        })
        .catch(() => {
          res.statusCode = 500;
          res.end();
        });
    });
  });
}
