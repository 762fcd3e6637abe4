// latchkey with Node's own http module: a visit counter kept in the session, sign-in as a demo
// user (no password, this example is about the plumbing) and sign-out.
//
//   npm run build && node examples/node-http/server.js     # http://localhost:3001
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { createSessionManager, isLatchkeyError } from "latchkey";
import { loadSession } from "latchkey/node";

function send(res, status, body, headers = {}) {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function handle(sessions, req, res) {
  const url = new URL(req.url ?? "/", "http://localhost");
  // Reads the session cookie and hooks `res` so a changed session's cookie goes out with it.
  const session = await loadSession(sessions, req, res);
  const route = `${req.method} ${url.pathname}`;

  if (route === "GET /") {
    if (session.userId === null) return send(res, 200, { signedIn: false });
    // Awaited, so the write is committed (or has failed) before the response goes out.
    const visits = Number(session.get("visits") ?? 0) + 1;
    await session.set({ visits });
    return send(res, 200, { signedIn: true, userId: session.userId, visits });
  }
  if (route === "POST /login") {
    await session.login("demo-user");
    return send(res, 303, { ok: true }, { Location: "/" });
  }
  if (route === "POST /logout") {
    await session.logout();
    return send(res, 303, { ok: true }, { Location: "/" });
  }
  return send(res, 404, { error: "not found" });
}

/** Starts the example on `port` (0 for any free port). */
export async function start({ port = 3001, host = "localhost" } = {}) {
  const sessions = createSessionManager();
  const server = createServer((req, res) => {
    handle(sessions, req, res).catch((error) => {
      // A store fault is a 503, never "signed out"; the client keeps its cookie.
      const storeDown = isLatchkeyError(error) && error.code.startsWith("store-");
      if (!res.headersSent) send(res, storeDown ? 503 : 500, { error: "unavailable" });
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
  return { server, url, sessions, close };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await start({ port: Number(process.env.PORT ?? 3001) });
  console.log(`latchkey node:http example on ${url}`);
}
