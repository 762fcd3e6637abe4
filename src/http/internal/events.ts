import type { SessionManager } from "../../core/manager-api.js";
import type { RequestSession } from "./handle.js";
import type { Transport } from "./transport.js";
import { carriesSecure } from "./headers.js";

/**
 * Reports a Secure session cookie sent to a remote client over plain HTTP (FR-03), through the
 * manager so that the app sees it in its one `onEvent` hook. The cookie is never downgraded: the
 * browser will refuse it, so the app must hear why its logins do not stick (usually TLS ends at
 * a proxy that is not listed in `trustProxy`).
 */
export function reportInsecureTransport(
  manager: SessionManager,
  transport: Transport,
  setCookie: string,
): void {
  if (transport.secure || transport.local || !carriesSecure(setCookie)) return;

  manager.notify({
    type: "cookie.insecure-transport",
    at: manager.now(),
    detail:
      "a Secure session cookie was sent over plain HTTP to a remote client; browsers drop it. " +
      "If TLS ends at a proxy, list it in trustProxy so X-Forwarded-Proto counts",
  });
}

/**
 * Reports a change whose cookie cannot go out any more: the response (Node) or the headers the
 * cookie was written to (Fetch) left before the change settled. The change may still commit,
 * so the client can end up with a cookie that no longer works; the app must await its changes.
 */
export function reportLateChange(handle: RequestSession): void {
  const { manager } = handle.context;
  manager.notify({
    type: "store.error",
    at: manager.now(),
    operation: "respond",
    error: new Error("the response went out while a session change was still pending"),
  });
}
