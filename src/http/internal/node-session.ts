import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestContext, SessionManager } from "../../core/manager-api.js";
import { RequestSession } from "./handle.js";
import { cookieFields, hookResponse, nodeTransport, userAgentOf } from "./node-response.js";
import type { Transport, TrustProxy } from "./transport.js";

/**
 * Opening a session on a Node request, shared by `latchkey/node` and `latchkey/express`: the
 * client facts, the validation of the `Cookie` header fields and the response hook.
 */

// The handles opened on a request, one per manager, so that a middleware mounted twice (on the
// app and on a router) or a second loadSession() shares the first handle: two handles would
// each hook the response, and the earlier one would overwrite the later one's cookie. Promises,
// so that two calls that overlap share one validation (and its outcome) too. A short chain
// rather than an array: nearly every request has one manager, and this costs one object.
const OPEN_HANDLES = Symbol.for("latchkey.node.handles");

interface OpenHandle {
  readonly manager: SessionManager;
  readonly handle: Promise<RequestSession>;
  readonly next: OpenHandle | undefined;
}

type RequestWithHandles = IncomingMessage & { [OPEN_HANDLES]?: OpenHandle };

/** The client facts of a request: the address its transport resolved and the User-Agent. */
export function nodeClient(req: IncomingMessage, transport: Transport): Required<RequestContext> {
  return { ip: transport.clientIp, userAgent: userAgentOf(req) };
}

/**
 * Validates the request's session cookie and arranges for `res` to carry the cookie the session
 * needs when the headers go out. Rejects with the store's error when it cannot answer. A request
 * that already has a handle for this manager gets that handle again (its first `trustProxy`
 * holds, and a failed validation fails again), with no second store call.
 */
export function openNodeSession(
  manager: SessionManager,
  req: IncomingMessage,
  res: ServerResponse,
  trustProxy: TrustProxy,
): Promise<RequestSession> {
  const target = req as RequestWithHandles;
  for (let entry = target[OPEN_HANDLES]; entry !== undefined; entry = entry.next) {
    if (entry.manager === manager) return entry.handle;
  }

  const handle = validateAndHook(manager, req, res, trustProxy);
  target[OPEN_HANDLES] = { manager, handle, next: target[OPEN_HANDLES] };
  return handle;
}

async function validateAndHook(
  manager: SessionManager,
  req: IncomingMessage,
  res: ServerResponse,
  trustProxy: TrustProxy,
): Promise<RequestSession> {
  const transport = nodeTransport(req, trustProxy);
  const client = nodeClient(req, transport);

  const result = await manager.validateCookieHeader(cookieFields(req), client);

  // The response is hooked only once it may carry a cookie: a renewal now, or the first change
  // later. Most requests do neither and go out untouched.
  let hooked = false;
  const hook = (): void => {
    if (hooked) return;
    hooked = true;
    hookResponse(res, handle);
  };
  const canSendCookie = (): boolean => !res.headersSent;
  const handle: RequestSession = new RequestSession(
    { manager, transport, client, onChange: hook, canSendCookie },
    result,
  );
  if (result.setCookie !== null) hook();
  return handle;
}
