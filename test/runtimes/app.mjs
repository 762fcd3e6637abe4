/**
 * The runtime smoke handler: a Fetch handler (`Request` in, `Response` out) built only from
 * `latchkey` and `latchkey/fetch`, with the memory store and the signed codec. Every runtime
 * driver serves this same file: Node, Bun and Deno call it in-process, workerd serves it as a
 * Worker module. It imports nothing else, so it runs wherever the Web APIs do.
 *
 * The clock is the manager's injected `now`: `POST /clock` with `{ "advanceMs": n }` moves it
 * forward, so renewal and expiry are driven without sleeping. `GET /runtime` answers the
 * runtime's `navigator.userAgent`, so a driver can tell where the handler really ran. Both routes
 * exist only in this test app.
 */
import { createSessionManager, MemoryStore, SignedCodec } from "latchkey";
import { loadSession, writeSessionCookie } from "latchkey/fetch";
import { COOKIE_NAME, IDLE_TIMEOUT_MS, RENEWAL_INTERVAL_MS } from "./constants.mjs";

/** The signing key of the smoke app (test-only, at least 32 bytes). */
const SIGNING_KEY = "latchkey-runtime-smoke-signing-key-0001";

/**
 * Builds the handler. The manager is made on the first request, not at module load, because
 * workerd allows random values and timers only while it handles a request.
 * @returns `(request) => Promise<Response>`
 */
export function createApp() {
  let offsetMs = 0;
  let manager = null;
  const now = () => Date.now() + offsetMs;

  function sessions() {
    manager ??= createSessionManager({
      store: new MemoryStore({ now }),
      codec: new SignedCodec({ keys: [SIGNING_KEY], cookieName: COOKIE_NAME }),
      cookie: { name: COOKIE_NAME },
      idleTimeoutMs: IDLE_TIMEOUT_MS,
      absoluteTimeoutMs: 12 * 60 * 60_000,
      renewalIntervalMs: RENEWAL_INTERVAL_MS,
      now,
    });
    return manager;
  }

  return async function handle(request) {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;

    if (route === "POST /clock") {
      const { advanceMs } = await request.json();
      offsetMs += advanceMs;
      return Response.json({ now: now() });
    }

    if (route === "GET /runtime") {
      return Response.json({ userAgent: globalThis.navigator?.userAgent ?? null });
    }

    const session = await loadSession(sessions(), request);
    let body;
    switch (route) {
      case "POST /login": {
        const { userId } = await request.json();
        await session.login(userId);
        body = { userId: session.userId };
        break;
      }
      case "GET /me":
        if (session.session === null) {
          return writeSessionCookie(
            Response.json({ reason: session.reason }, { status: 401 }),
            session,
          );
        }
        body = {
          userId: session.userId,
          lastSeenAt: session.session.lastSeenAt,
          idleExpiresAt: session.session.idleExpiresAt,
        };
        break;
      case "POST /rotate":
        body = { rotated: await session.rotate() };
        break;
      case "POST /logout":
        await session.logout();
        body = { signedOut: true };
        break;
      default:
        return new Response("not found", { status: 404 });
    }

    return writeSessionCookie(Response.json(body), session);
  };
}
