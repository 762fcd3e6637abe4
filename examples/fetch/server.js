// latchkey with a Fetch handler (Request in, Response out), the shape Bun, Deno and Cloudflare
// Workers use. `handle` is the whole app; the bottom of the file serves it on Node through a
// tiny node:http → Request/Response bridge. On other runtimes:
//
//   Deno.serve((request, info) => app.handle(request, { ip: info.remoteAddr.hostname }));
//   Bun.serve({
//     fetch: (request, server) => app.handle(request, { ip: server.requestIP(request)?.address }),
//   });
//
//   npm run build && node examples/fetch/server.js     # http://localhost:3002
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { createSessionManager, isLatchkeyError } from "latchkey";
import { loadSession, writeSessionCookie } from "latchkey/fetch";

/** Builds the Fetch app: `handle(request, { ip })` answers one request. */
export function createFetchApp(sessions = createSessionManager()) {
  async function route(request, session) {
    const url = new URL(request.url);
    const key = `${request.method} ${url.pathname}`;

    if (key === "GET /") {
      if (session.userId === null) return Response.json({ signedIn: false });
      const visits = Number(session.get("visits") ?? 0) + 1;
      await session.set({ visits });
      return Response.json({ signedIn: true, userId: session.userId, visits });
    }
    if (key === "POST /login") {
      await session.login("demo-user");
      // Response.redirect() has immutable headers; writeSessionCookie copies it when it must.
      return Response.redirect(new URL("/", url), 303);
    }
    if (key === "POST /logout") {
      await session.logout();
      return Response.redirect(new URL("/", url), 303);
    }
    return Response.json({ error: "not found" }, { status: 404 });
  }

  async function handle(request, { ip = null } = {}) {
    try {
      const session = await loadSession(sessions, request, { ip });
      const response = await route(request, session);
      return writeSessionCookie(response, session);
    } catch (error) {
      const storeDown = isLatchkeyError(error) && error.code.startsWith("store-");
      return Response.json({ error: "unavailable" }, { status: storeDown ? 503 : 500 });
    }
  }

  return { sessions, handle };
}

// The bridge: one node:http request becomes a Request, the Response goes back out. Repeated
// Cookie fields are joined with "; " (as HTTP/2 runtimes do) and every Set-Cookie line is sent
// as its own field, from getSetCookie() (never comma-joined).
function toRequest(req) {
  const headers = new Headers();
  const cookies = [];
  for (let index = 0; index < req.rawHeaders.length; index += 2) {
    const name = req.rawHeaders[index];
    const value = req.rawHeaders[index + 1];
    if (name.toLowerCase() === "cookie") cookies.push(value);
    else headers.append(name, value);
  }
  if (cookies.length > 0) headers.set("cookie", cookies.join("; "));

  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method: req.method,
    headers,
    body: hasBody ? req : null,
    duplex: hasBody ? "half" : undefined,
  });
}

async function writeResponse(response, res) {
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("Set-Cookie", cookies);
  res.statusCode = response.status;
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** Starts the example on `port` (0 for any free port). */
export async function start({ port = 3002, host = "localhost" } = {}) {
  const app = createFetchApp();
  const server = createServer((req, res) => {
    app
      .handle(toRequest(req), { ip: req.socket.remoteAddress ?? null })
      .then((response) => writeResponse(response, res))
      .catch(() => {
        res.statusCode = 500;
        res.end();
      });
  });

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const url = `http://${host === "localhost" ? "localhost" : host}:${server.address().port}`;
  const close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { server, url, sessions: app.sessions, close };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await start({ port: Number(process.env.PORT ?? 3002) });
  console.log(`latchkey Fetch example on ${url}`);
}
