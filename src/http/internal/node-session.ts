import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestContext, SessionManager } from "../../core/manager-api.js";
import { RequestSession } from "./handle.js";
import { cookieFields, hookResponse, nodeTransport, userAgentOf } from "./node-response.js";
import type { Transport, TrustProxy } from "./transport.js";

/**
 * Opening a session on a Node request, shared by `latchkey/node` and `latchkey/express`: the
 * client facts, the validation of the `Cookie` header fields and the response hook.
 */

/** The client facts of a request: the address its transport resolved and the User-Agent. */
export function nodeClient(req: IncomingMessage, transport: Transport): Required<RequestContext> {
  return { ip: transport.clientIp, userAgent: userAgentOf(req) };
}

/**
 * Validates the request's session cookie and arranges for `res` to carry the cookie the session
 * needs when the headers go out. Rejects with the store's error when it cannot answer.
 */
export async function openNodeSession(
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
  const handle: RequestSession = new RequestSession(
    { manager, transport, client, onChange: hook },
    result,
  );
  if (result.setCookie !== null) hook();
  return handle;
}
