import { afterEach, describe, expect, it, vi } from "vitest";
import { SignedCodec } from "../../src/codec/signed.js";
import { parseCookieHeader } from "../../src/cookie/parse.js";
import { ConfigError } from "../../src/core/errors.js";
import type { SessionRecord } from "../../src/core/record.js";
import { MemoryStore } from "../../src/stores/memory.js";
import {
  cookie,
  DAY_MS,
  FakeClock,
  HOUR_MS,
  isClearing,
  maxAgeOf,
  MINUTE_MS,
  parseSetCookie,
  reasonOf,
  SECOND_MS,
  setup,
} from "./fixture.js";

/**
 * Field reports from other session libraries (../shared/cases/field-reports.md), replayed in
 * latchkey's terms against the core over a real memory store.
 */

const KEY_A = "a".repeat(32);
const KEY_B = "b".repeat(32);

/** The store keeps an active record this long past its deadline (storeExpiresAt). */
const STORE_SLACK_MS = MINUTE_MS;

afterEach(() => {
  vi.restoreAllMocks();
});

/** The cookie value of a Set-Cookie line. */
function valueOf(line: string | null): string {
  return line === null ? "" : parseSetCookie(line).value;
}

/** The keys whose values differ between two records. */
function changedKeys(before: SessionRecord, after: SessionRecord): string[] {
  const keys = Object.keys(before) as (keyof SessionRecord)[];
  return keys.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}

describe("validateCookieHeader (renewal, field reports)", () => {
  it(
    "changes only lastSeenAt, idleExpiresAt and expiresAt on renewal " +
      "and keeps Max-Age=3600 for a 1 h idle session (FR-13)",
    async () => {
      const { manager, clock, raw } = setup({ idleTimeoutMs: HOUR_MS });
      const { token, session } = await manager.create({ persistent: true, data: { a: 1 } });
      const before = await raw(session.id);
      clock.advance(2 * MINUTE_MS);

      const renewal = await manager.validateCookieHeader(cookie(token));
      const after = await raw(session.id);
      clock.advance(30 * SECOND_MS);
      const quiet = await manager.validateCookieHeader(cookie(token));
      clock.advance(2 * MINUTE_MS);
      const next = await manager.validateCookieHeader(cookie(token));

      if (before === null || after === null) throw new Error("expected the record");
      expect(renewal.ok && renewal.renewed).toBe(true);
      expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
      expect(changedKeys(before, after)).toEqual(["expiresAt", "idleExpiresAt", "lastSeenAt"]);
      expect(after.persistent).toBe(true);
      expect(maxAgeOf(renewal.setCookie ?? "")).toBe(3600);
      expect(quiet.ok && quiet.setCookie).toBeNull();
      expect(next.ok && next.renewed).toBe(true);
      expect(maxAgeOf(next.setCookie ?? "")).toBe(3600);
    },
  );

  it(
    "keeps a remember-me session's 7-day idle timeout across renewals " +
      "under a standard manager, capped by its own deadline (FR-38)",
    async () => {
      const { manager, clock, raw } = setup();
      const t0 = clock.now();
      const { token, session } = await manager.create({
        timeouts: "remember-me",
        persistent: true,
      });
      const ages: (number | null)[] = [];

      for (let day = 1; day <= 29; day++) {
        clock.set(t0 + day * DAY_MS);
        const result = await manager.validateCookieHeader(cookie(token));
        expect(result.ok && result.renewed).toBe(true);
        ages.push(maxAgeOf(result.setCookie ?? ""));
      }
      const stored = await raw(session.id);

      expect(ages.slice(0, 23)).toEqual(Array.from({ length: 23 }, () => 7 * 86_400));
      expect(ages.at(-1)).toBe(86_400);
      expect(stored?.idleTimeoutMs).toBe(7 * DAY_MS);
      expect(stored?.idleExpiresAt).toBe(session.absoluteExpiresAt);
      expect(session.absoluteExpiresAt).toBe(t0 + 30 * DAY_MS);
    },
  );
});

describe("validateCookieHeader (expiry, field reports)", () => {
  it(
    "never sends a Max-Age past the server's validity, at creation or near the absolute " +
      "deadline, then is expired-absolute and cleared at it (FR-22, FR-23)",
    async () => {
      const { manager, clock } = setup({ idleTimeoutMs: HOUR_MS, absoluteTimeoutMs: 3 * HOUR_MS });
      const t0 = clock.now();
      const issued = await manager.create({ persistent: true });
      const deadline = issued.session.absoluteExpiresAt;
      const ages = [maxAgeOf(issued.setCookie)];

      for (const minutes of [30, 60, 90, 120, 150, 179]) {
        clock.set(t0 + minutes * MINUTE_MS);
        const result = await manager.validateCookieHeader(cookie(issued.token));
        expect(result.ok && result.renewed).toBe(true);
        ages.push(maxAgeOf(result.setCookie ?? ""));
        expect((ages.at(-1) ?? Infinity) * 1000).toBeLessThanOrEqual(deadline - clock.now());
      }
      clock.set(deadline - 1);
      const before = await manager.validateCookieHeader(cookie(issued.token));
      clock.set(deadline);
      const at = await manager.validateCookieHeader(cookie(issued.token));

      expect(ages).toEqual([3600, 3600, 3600, 3600, 3600, 30 * 60, 60]);
      expect(before.ok).toBe(true);
      expect(reasonOf(at)).toBe("expired-absolute");
      expect(isClearing(at.setCookie)).toBe(true);
    },
  );

  it(
    "accepts at the idle deadline - 1 ms and answers expired-idle (not unknown) " +
      "with a clearing cookie at it, with no skew (FR-22, FR-23)",
    async () => {
      const { manager, clock } = setup({ idleTimeoutMs: 5 * SECOND_MS });
      const t0 = clock.now();
      const early = await manager.create({ persistent: true });
      const onTime = await manager.create({ persistent: true });
      const late = await manager.create({ persistent: true });

      clock.set(t0 + 5 * SECOND_MS - 1);
      const before = await manager.validateCookieHeader(cookie(early.token));
      clock.set(t0 + 5 * SECOND_MS);
      const at = await manager.validateCookieHeader(cookie(onTime.token));
      clock.set(t0 + 10 * SECOND_MS);
      const after = await manager.validateCookieHeader(cookie(late.token));

      expect(maxAgeOf(early.setCookie)).toBe(5);
      expect(before.ok).toBe(true);
      expect(reasonOf(at)).toBe("expired-idle");
      expect(isClearing(at.setCookie)).toBe(true);
      expect(reasonOf(after)).toBe("expired-idle");
      expect(isClearing(after.setCookie)).toBe(true);
    },
  );

  it(
    "refuses a 15 s idle session at 16 s before any sweep ran, and a sweep drops it " +
      "once its store expiry passed; no cookie Max-Age needed (FR-14)",
    async () => {
      const clock = new FakeClock();
      const memory = new MemoryStore({ now: clock.storeNow, sweepIntervalMs: 20 * SECOND_MS });
      const sweep = vi.spyOn(memory, "sweep");
      const { manager, raw } = setup({ memory, clock, idleTimeoutMs: 15 * SECOND_MS });
      const t0 = clock.now();
      const used = await manager.create();
      const left = await manager.create();
      const stored = await raw(left.session.id);

      clock.set(t0 + 16 * SECOND_MS);
      const refused = await manager.validateCookieHeader(cookie(used.token));
      const sweptEarly = memory.sweep();
      clock.set(t0 + 80 * SECOND_MS);
      const heldUntilSwept = memory.stats().records;
      const swept = memory.sweep();
      await memory.close();

      expect(memory.sweeping).toBe(false);
      expect(maxAgeOf(left.setCookie)).toBeNull();
      expect(left.session.persistent).toBe(false);
      expect(left.session.idleExpiresAt).toBe(t0 + 15 * SECOND_MS);
      expect(left.session.absoluteExpiresAt).toBe(t0 + 12 * HOUR_MS);
      expect(stored?.expiresAt).toBe(t0 + 15 * SECOND_MS + STORE_SLACK_MS);
      expect(reasonOf(refused)).toBe("expired-idle");
      expect(sweep).toHaveBeenCalledTimes(2);
      expect(sweptEarly).toBe(0);
      expect(heldUntilSwept).toBe(1);
      expect(swept).toBe(1);
      expect(memory.stats().records).toBe(0);
    },
  );

  it(
    "hands the store expiresAt = idle deadline + 1 min at create and at each renewal, " +
      "for persistent and browser-session cookies (FR-32)",
    async () => {
      const { manager, clock, memory } = setup({ idleTimeoutMs: HOUR_MS });
      const create = vi.spyOn(memory, "create");
      const touch = vi.spyOn(memory, "touch");
      const t0 = clock.now();
      const persistent = await manager.create({ persistent: true });
      const browser = await manager.create({ persistent: false });
      clock.set(t0 + 10 * MINUTE_MS);
      const renewed = await manager.validateCookieHeader(cookie(persistent.token));
      await manager.validateCookieHeader(cookie(browser.token));

      const created = create.mock.calls.map(([record]) => record.expiresAt);
      const touched = touch.mock.calls.map(([, renewal]) => renewal.expiresAt);
      expect(created).toEqual([t0 + HOUR_MS + STORE_SLACK_MS, t0 + HOUR_MS + STORE_SLACK_MS]);
      expect(touched).toEqual([
        t0 + 10 * MINUTE_MS + HOUR_MS + STORE_SLACK_MS,
        t0 + 10 * MINUTE_MS + HOUR_MS + STORE_SLACK_MS,
      ]);
      expect((maxAgeOf(persistent.setCookie) ?? 0) * 1000).toBe(HOUR_MS);
      expect((maxAgeOf(renewed.setCookie ?? "") ?? 0) * 1000).toBe(HOUR_MS);
    },
  );
});

describe("validateCookieHeader (request shapes, field reports)", () => {
  it("resolves the session from a list of cookie strings (FR-30)", async () => {
    const { manager } = setup();
    const { token, session } = await manager.create();

    const result = await manager.validateCookieHeader([cookie(token), "theme=dark"]);

    expect(result.ok && result.session.id).toBe(session.id);
  });

  it(
    "resolves the session when a header and a list repeat the same pairs " +
      "(identical duplicates are not ambiguous) (FR-31)",
    async () => {
      const { manager } = setup();
      const { token, session } = await manager.create();
      const fields = [`${cookie(token)}; theme=dark`, cookie(token), "theme=dark"];

      const result = await manager.validateCookieHeader(fields);

      expect(result.ok && result.session.id).toBe(session.id);
      expect({ ...parseCookieHeader(fields) }).toEqual({ "__Host-sid": token, theme: "dark" });
    },
  );
});

describe("validateCookieHeader (key rotation, field reports)", () => {
  it(
    "accepts a key-A cookie under keys [B, A] and re-signs it with B; under [B] alone it is " +
      "bad-signature, no throw and no clearing cookie (D5) (FR-45, FR-19)",
    async () => {
      const signedWith = (keys: string[]) => new SignedCodec({ keys, cookieName: "__Host-sid" });
      const before = setup({ codec: signedWith([KEY_A]) });
      const shared = { memory: before.memory, clock: before.clock };
      const rotated = setup({ ...shared, codec: signedWith([KEY_B, KEY_A]) });
      const newOnly = setup({ ...shared, codec: signedWith([KEY_B]) });
      const issued = await before.manager.create();
      const oldValue = valueOf(issued.setCookie);

      const both = await rotated.manager.validateCookieHeader(cookie(oldValue));
      const resent = valueOf(both.setCookie);
      const refused = await newOnly.manager.validateCookieHeader(cookie(oldValue));
      const afterResend = await newOnly.manager.validateCookieHeader(cookie(resent));

      expect(both.ok && both.session.id).toBe(issued.session.id);
      expect(resent).not.toBe(oldValue);
      expect(signedWith([KEY_B]).decode(resent)).toEqual({
        ok: true,
        token: issued.token,
        stale: false,
      });
      expect(refused).toEqual({ ok: false, reason: "bad-signature", setCookie: null });
      expect(afterResend.ok).toBe(true);
      expect((await before.raw(issued.session.id))?.state).toBe("active");
    },
  );
});

describe("create (cookie size, field reports)", () => {
  it(
    "measures the whole Set-Cookie line, Domain included: a limit one byte short of the " +
      "longest cookie is a ConfigError when the manager is built, never a request error (FR-47)",
    async () => {
      const name = "__Secure-sid";
      const codec = new SignedCodec({ keys: [KEY_A], cookieName: name });
      const path = "/accounts/sign-in/callback/oauth2/provider";
      const domain = "a-very-long-subdomain.example.test";
      const probe = setup({ codec, cookie: { name, path, domain, maxSetCookieBytes: 8192 } });
      // The longest line: a persistent cookie whose Max-Age has the most digits (400 days).
      const line = (await probe.manager.create({ persistent: true })).setCookie;
      const longest = line.replace(/Max-Age=\d+/, "Max-Age=34560000");
      const maxSetCookieBytes = longest.length - 1;

      const tight = () => setup({ codec, cookie: { name, path, domain, maxSetCookieBytes } });
      const hostOnly = setup({ codec, cookie: { name, path, maxSetCookieBytes } });

      expect(parseSetCookie(line).attributes.get("domain")).toBe(domain);
      expect(maxSetCookieBytes).toBeGreaterThanOrEqual(256);
      expect(tight).toThrow(ConfigError);
      expect(tight).toThrow(/cookie\.maxSetCookieBytes: is too small/);
      const created = await hostOnly.manager.create({ persistent: true });
      expect(created.setCookie.length).toBeLessThanOrEqual(maxSetCookieBytes);
      expect(hostOnly.memory.stats().records).toBe(1);
    },
  );
});
