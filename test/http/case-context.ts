/**
 * The world each request-shape case runs in: a manager with an injected clock and a
 * failure-injecting store, the events it reported, and one shape's server. Plus the small
 * assertions the cases share.
 */
import { expect } from "vitest";
import { createSessionManager } from "../../src/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import type { SessionEvent, SessionEventType } from "../../src/core/events.js";
import type { SessionManager } from "../../src/core/manager-api.js";
import type { TrustProxy } from "../../src/http/internal/transport.js";
import {
  CookieJar,
  cookiesNamed,
  send,
  type ClientRequest,
  type ClientResponse,
  type Listening,
} from "../support/http.js";
import { FailingStore } from "./failing-store.js";
import type { Shape } from "./shapes.js";

/** The default session cookie name. */
export const NAME = "__Host-sid";

/** Events that mean something went wrong; a case must name the ones it expects. */
const ERROR_EVENTS: readonly SessionEventType[] = [
  "store.error",
  "store.corrupt-record",
  "session.change-failed",
  "cookie.insecure-transport",
];

/** One case's world: a manager with an injected clock, its store and its events, and a server. */
export interface CaseContext {
  manager: SessionManager;
  store: FailingStore;
  events: SessionEvent[];
  clock: { now: number };
  server: Listening;
  request(path: string, options?: ClientRequest): Promise<ClientResponse>;
}

/** Options a case may need for its manager or adapter. */
export interface CaseSetup {
  persistentCookie?: boolean;
  trustProxy?: TrustProxy;
}

/** A row of the table. */
export interface HTTPCase {
  name: string;
  setup?: CaseSetup;
  /** Error events this case provokes on purpose. */
  expectedEvents?: readonly SessionEventType[];
  run(context: CaseContext): Promise<void>;
}

/** Builds the case's world on `shape`. */
export async function startCase(shape: Shape, setup: CaseSetup = {}): Promise<CaseContext> {
  const events: SessionEvent[] = [];
  const clock = { now: Date.UTC(2030, 0, 1) };
  const store = new FailingStore(new MemoryStore());
  const manager = createSessionManager({
    store,
    persistentCookie: setup.persistentCookie ?? false,
    now: () => clock.now,
    onEvent: (event) => events.push(event),
  });
  const server = await shape.start(manager, { trustProxy: setup.trustProxy ?? false });
  return {
    manager,
    store,
    events,
    clock,
    server,
    request: (path, options) => send(server.url, path, { method: "GET", ...options }),
  };
}

/** The no-unexpected-error check that ends every case. */
export function assertNoUnexpectedErrors(context: CaseContext, expected: readonly string[]): void {
  const unexpected = context.events.filter(
    (event) => ERROR_EVENTS.includes(event.type) && !expected.includes(event.type),
  );
  expect(unexpected).toEqual([]);
}

export function sessionCookies(response: ClientResponse) {
  return cookiesNamed(response, NAME);
}

/** Asserts the caching headers that must travel with a session Set-Cookie (SER-09). */
export function expectNoStore(response: ClientResponse): void {
  expect(response.headers["cache-control"]).toBe("no-store");
  const vary = String(response.headers["vary"] ?? "");
  expect(vary.split(",").map((token) => token.trim().toLowerCase())).toContain("cookie");
}

export async function login(context: CaseContext, jar: CookieJar, user = "user-1", query = "") {
  const response = await context.request(`/login?user=${user}${query}`, { method: "POST", jar });
  expect(response.status).toBe(200);
  return response;
}

export async function me(context: CaseContext, options: ClientRequest = {}) {
  const response = await context.request("/me", options);
  return { response, body: JSON.parse(response.body) as Record<string, unknown> };
}
