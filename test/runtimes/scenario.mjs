/**
 * The smoke scenario every runtime runs against the handler in app.mjs: login, a validated
 * request, no write inside the renewal interval, renewal after it, rotation (the old cookie
 * refused), logout (the cookie refused), tampered cookies refused, and idle expiry. It needs only
 * `fetch`-shaped transport, so the same steps drive an in-process handler and a workerd Worker.
 */
import { COOKIE_NAME, IDLE_TIMEOUT_MS, RENEWAL_INTERVAL_MS } from "./constants.mjs";

const ORIGIN = "https://app.example";
const SIGNED_VALUE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;

/**
 * Runs the scenario.
 * @param send `(url, init) => Promise<Response>`: the runtime's way to reach the handler.
 * @returns `{ passed, userAgent, checks: [{ name, ok, detail }] }`, `userAgent` being the
 * handler's `navigator.userAgent` (or `null`); a thrown error becomes a failed check.
 */
export async function runScenario(send) {
  const checks = [];
  const check = (name, ok, detail = "") => checks.push({ name, ok: Boolean(ok), detail });
  let userAgent = null;

  try {
    userAgent = (await (await send(`${ORIGIN}/runtime`, { method: "GET" })).json()).userAgent;
    await steps(client(send), check);
  } catch (error) {
    check("scenario ran to the end", false, String(error?.stack ?? error));
  }

  return { passed: checks.length > 0 && checks.every((c) => c.ok), userAgent, checks };
}

function client(send) {
  return async function request(method, path, { cookie, json } = {}) {
    const headers = { "user-agent": "latchkey-runtime-smoke" };
    if (cookie !== undefined) headers.cookie = `${COOKIE_NAME}=${cookie}`;
    if (json !== undefined) headers["content-type"] = "application/json";

    const init = { method, headers };
    if (json !== undefined) init.body = JSON.stringify(json);
    const response = await send(`${ORIGIN}${path}`, init);

    const setCookies = response.headers.getSetCookie();
    const body = await response.json();
    return { status: response.status, setCookies, body, cookie: cookieValue(setCookies) };
  };
}

/** The session cookie's value in a response's Set-Cookie lines, or `undefined`. */
function cookieValue(lines) {
  const line = lines.find((l) => l.startsWith(`${COOKIE_NAME}=`));
  return line === undefined ? undefined : line.slice(COOKIE_NAME.length + 1).split(";")[0];
}

function advance(request, advanceMs) {
  return request("POST", "/clock", { json: { advanceMs } });
}

async function steps(request, check) {
  const anonymous = await request("GET", "/me");
  check("no cookie: no session", anonymous.status === 401 && anonymous.body.reason === "missing");

  const login = await request("POST", "/login", { json: { userId: "alice" } });
  const line = login.setCookies.find((l) => l.startsWith(`${COOKIE_NAME}=`)) ?? "";
  const attributes = line.split(";").map((a) => a.trim().toLowerCase());
  check(
    "login: signed __Host- cookie, Secure, HttpOnly, SameSite=Lax, Path=/",
    login.status === 200 &&
      SIGNED_VALUE.test(login.cookie ?? "") &&
      ["secure", "httponly", "samesite=lax", "path=/"].every((a) => attributes.includes(a)),
    line,
  );
  const first = login.cookie;

  const me = await request("GET", "/me", { cookie: first });
  check("validated request: the user", me.status === 200 && me.body.userId === "alice");

  await advance(request, RENEWAL_INTERVAL_MS / 4);
  const early = await request("GET", "/me", { cookie: first });
  check(
    "inside the renewal interval: no renewal write",
    early.status === 200 && early.body.idleExpiresAt === me.body.idleExpiresAt,
    `${me.body.idleExpiresAt} -> ${early.body.idleExpiresAt}`,
  );

  await advance(request, RENEWAL_INTERVAL_MS);
  const renewed = await request("GET", "/me", { cookie: first });
  check(
    "after the renewal interval: idle deadline renewed",
    renewed.status === 200 &&
      renewed.body.idleExpiresAt > me.body.idleExpiresAt &&
      renewed.body.idleExpiresAt === renewed.body.lastSeenAt + IDLE_TIMEOUT_MS,
    `${me.body.idleExpiresAt} -> ${renewed.body.idleExpiresAt}`,
  );

  const rotation = await request("POST", "/rotate", { cookie: first });
  const second = rotation.cookie;
  check(
    "rotation: a new signed cookie",
    rotation.status === 200 && SIGNED_VALUE.test(second ?? "") && second !== first,
  );
  const afterRotation = await request("GET", "/me", { cookie: second });
  check("rotation: the new cookie is valid", afterRotation.body.userId === "alice");
  const old = await request("GET", "/me", { cookie: first });
  check(
    "rotation: the old cookie is refused",
    old.status === 401 && old.body.reason === "superseded",
    old.body.reason,
  );

  const logout = await request("POST", "/logout", { cookie: second });
  const clearing = logout.setCookies.find((l) => l.startsWith(`${COOKIE_NAME}=;`)) ?? "";
  check(
    "logout: the cookie is cleared",
    logout.status === 200 && /max-age=0/i.test(clearing),
    clearing,
  );
  const loggedOut = await request("GET", "/me", { cookie: second });
  check(
    "logout: the old cookie is refused",
    loggedOut.status === 401 && loggedOut.body.reason === "revoked",
    loggedOut.body.reason,
  );

  await tampering(request, check);
}

async function tampering(request, check) {
  const login = await request("POST", "/login", { json: { userId: "bob" } });
  const value = login.cookie ?? "";
  const [id, secret, tag] = value.split(".");

  for (const [what, forged] of [
    ["tag", `${id}.${secret}.${flip(tag, 20)}`],
    ["secret", `${id}.${flip(secret, 20)}.${tag}`],
    ["id", `${flip(id, 5)}.${secret}.${tag}`],
  ]) {
    const response = await request("GET", "/me", { cookie: forged });
    check(
      `tampered ${what}: refused`,
      response.status === 401 && response.body.reason === "bad-signature",
      response.body.reason,
    );
  }

  const genuine = await request("GET", "/me", { cookie: value });
  check("untampered cookie: still valid", genuine.body.userId === "bob");

  await advance(request, IDLE_TIMEOUT_MS + 1);
  const idle = await request("GET", "/me", { cookie: value });
  // The memory store drops a record at its idle deadline, so the manager may no longer find it
  // ("unknown") rather than find it expired; both refuse the cookie.
  check(
    "past the idle timeout: refused",
    idle.status === 401 && ["expired-idle", "unknown"].includes(idle.body.reason),
    idle.body.reason,
  );
}

function flip(text = "", index) {
  const replacement = text[index] === "A" ? "B" : "A";
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}
