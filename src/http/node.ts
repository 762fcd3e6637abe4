/**
 * `latchkey/node`: sessions for Node's `http` (and `https`, `http2` compatibility) servers. Reads
 * the session cookie from an `IncomingMessage` and writes Set-Cookie onto its `ServerResponse`.
 * Needs Node 20 or later; Node types come in with `import type` only.
 *
 * @module latchkey/node
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestContext, SessionManager } from "../core/manager-api.js";
import { checkManager, trustProxyOf } from "./internal/adapter-options.js";
import type { SessionHandle } from "./internal/handle.js";
import { nodeTransport } from "./internal/node-response.js";
import { nodeClient, openNodeSession } from "./internal/node-session.js";
import type { TrustProxy } from "./internal/transport.js";

export type { HandleLoginOptions, SessionHandle } from "./internal/handle.js";
export type { TrustProxy } from "./internal/transport.js";

/** Options for reading sessions from Node requests. */
export interface NodeSessionOptions {
  /**
   * Which peers may set `X-Forwarded-Proto` and `X-Forwarded-For` (see {@link TrustProxy}). With
   * the default, the client's IP is the socket's address and a request is HTTPS only when its
   * socket is TLS.
   * @default false
   */
  trustProxy?: TrustProxy;
}

/**
 * The client facts of a request, for binding checks and a user's device list: the socket's
 * address (or the nearest `X-Forwarded-For` entry when the peer is trusted) and the User-Agent.
 */
export function requestContext(
  req: IncomingMessage,
  options: NodeSessionOptions = {},
): Required<RequestContext> {
  return nodeClient(req, nodeTransport(req, trustProxyOf(options)));
}

/**
 * Validates the request's session cookie and hooks the response so that any cookie the session
 * needs is written when the headers go out. The session is read from the `Cookie` header fields
 * only (never the query, the body or other headers); several fields are read as one list.
 *
 * A missing, malformed, tampered, expired or revoked cookie gives a handle without a session
 * (its `reason` says why); an expired or revoked one also clears the cookie.
 *
 * Await each change (`await session.login(...)`) before sending the response: the change is
 * committed when it resolves, a store failure rejects it, and the cookie goes out with the
 * response only for committed state. `res.end()` waits for changes still being written; a
 * response streamed with `res.write()` before a change settles goes out without its cookie.
 *
 * @throws StoreError when the store cannot answer (answer 503; the client's cookie is left alone).
 * @example
 * const session = await loadSession(manager, req, res);
 * if (session.userId === null) { res.statusCode = 401; res.end(); return; }
 */
export async function loadSession(
  manager: SessionManager,
  req: IncomingMessage,
  res: ServerResponse,
  options: NodeSessionOptions = {},
): Promise<SessionHandle> {
  checkManager(manager);
  return openNodeSession(manager, req, res, trustProxyOf(options));
}
