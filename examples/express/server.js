// latchkey demo: an Express 5 app with sign-in, a list of the user's sessions, revoking one,
// "sign out everywhere else" and sign-out, on the in-memory store.
//
//   npm run demo            # builds latchkey, then serves http://localhost:3000
//   PORT=4000 npm run demo
//
// The session cookie keeps its safe defaults (__Host-sid; Secure; HttpOnly; SameSite=Lax; Path=/)
// even over plain HTTP: browsers and curl treat http://localhost as a secure context and accept
// Secure and __Host- cookies there. On any other host, serve HTTPS.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import express from "express";
import { createSessionManager, isLatchkeyError } from "latchkey";
import { getSession, sessionMiddleware } from "latchkey/express";
import { accountPage, errorPage, loginPage } from "./pages.js";
import { createUsers, DEMO_EMAILS, DEMO_PASSWORD } from "./users.js";

// State-changing requests must come from our own pages. SameSite=Lax already keeps the cookie
// off cross-site POSTs; this check refuses them outright (defence in depth).
function refuseForeignOrigin(req, res, next) {
  if (req.method === "GET" || req.method === "HEAD") return next();

  const origin = req.get("origin");
  const ownOrigin = `${req.protocol}://${req.get("host")}`;
  const crossSite = req.get("sec-fetch-site") === "cross-site";
  if ((origin !== undefined && origin !== ownOrigin) || crossSite) {
    res.status(403).type("html").send(errorPage("Forbidden", "Cross-origin request refused."));
    return;
  }
  next();
}

function securityHeaders(_req, res, next) {
  res.set({
    "Content-Security-Policy":
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    // Not "no-referrer": with it, browsers send `Origin: null` on our own form posts.
    "Referrer-Policy": "same-origin",
  });
  next();
}

/** Builds the demo app around a session manager and a password check. */
export function createApp({ sessions, verify }) {
  const app = express();
  app.disable("x-powered-by");
  app.use(securityHeaders);
  app.use(refuseForeignOrigin);
  app.use(express.urlencoded({ extended: false, limit: "4kb" }));
  app.use(sessionMiddleware(sessions));

  app.get("/", async (req, res) => {
    const session = getSession(req);
    if (session.userId === null) {
      res.type("html").send(loginPage({ emails: DEMO_EMAILS, password: DEMO_PASSWORD }));
      return;
    }
    const list = await session.listSessions();
    res.type("html").send(accountPage({ session: session.session, sessions: list }));
  });

  app.post("/login", async (req, res) => {
    const email = typeof req.body?.email === "string" ? req.body.email : "";
    const userId = await verify(email, req.body?.password);
    if (userId === null) {
      const page = loginPage({
        emails: DEMO_EMAILS,
        password: DEMO_PASSWORD,
        error: "Wrong email or password.",
        email,
      });
      res.status(401).type("html").send(page);
      return;
    }

    // A new session with a new id; any session this browser had is revoked first (fixation).
    await getSession(req).login(userId);
    res.redirect(303, "/");
  });

  app.get("/me", async (req, res) => {
    const session = getSession(req);
    if (session.userId === null) {
      res.status(401).json({ error: "not signed in" });
      return;
    }
    const list = await session.listSessions();
    res.json({
      userId: session.userId,
      sessions: list.map((summary) => ({ ...summary, current: summary.id === session.id })),
    });
  });

  app.post("/sessions/revoke-others", async (req, res) => {
    await getSession(req).revokeAllOthers();
    res.redirect(303, "/");
  });

  app.post("/sessions/:id/revoke", async (req, res) => {
    // revoke() only touches sessions of the signed-in user; other ids are ignored.
    await getSession(req).revoke(req.params.id);
    res.redirect(303, "/");
  });

  app.post("/logout", async (req, res) => {
    await getSession(req).logout();
    res.redirect(303, "/");
  });

  // A store that cannot answer is a 503, never "signed out": the browser keeps its cookie.
  // Client errors that Express and its body parser raise (a body too large, a malformed path)
  // keep their 4xx status.
  app.use((error, _req, res, _next) => {
    const storeDown = isLatchkeyError(error) && error.code.startsWith("store-");
    const clientStatus = clientErrorStatus(error);
    const status = storeDown ? 503 : (clientStatus ?? 500);
    const text = storeDown
      ? "Sessions are unavailable; try again shortly."
      : clientStatus !== null
        ? "The request could not be understood."
        : "Something broke.";
    res
      .status(status)
      .type("html")
      .send(errorPage(storeDown ? "Unavailable" : "Error", text));
  });
  return app;
}

/**
 * Starts the demo on `port` (0 for any free port) and `host`. Resolves to the server, its URL,
 * the session manager and `close()`.
 */
export async function start({ port = 3000, host = "localhost", log = false } = {}) {
  const sessions = createSessionManager({
    onEvent: log ? (event) => console.log(`[latchkey] ${event.type}`) : undefined,
  });
  const verify = await createUsers();
  const server = createServer(createApp({ sessions, verify }));

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const shownHost = host === "127.0.0.1" || host === "::1" ? host : "localhost";
  const url = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${address.port}`;

  const close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { server, url, sessions, close };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Loopback only: the demo accounts' password is printed on the login page.
  const { url } = await start({ port: Number(process.env.PORT ?? 3000), log: true });
  console.log(`latchkey demo on ${url}  (alice@example.test / bob@example.test, ${DEMO_PASSWORD})`);
}

/** The 4xx status an Express or body-parser error carries, or null. */
function clientErrorStatus(error) {
  const status = typeof error === "object" && error !== null ? error.status : undefined;
  return Number.isInteger(status) && status >= 400 && status < 500 ? status : null;
}
