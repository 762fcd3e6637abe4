import type { SessionManager } from "../../core/manager-api.js";
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
