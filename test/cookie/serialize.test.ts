import { parseSetCookie } from "cookie";
import { describe, expect, it } from "vitest";
import { resolveCookieOptions } from "../../src/cookie/resolve.js";
import {
  MAX_COOKIE_AGE_SECONDS,
  serializeClearingCookie,
  serializeSessionCookie,
} from "../../src/cookie/serialize.js";
import { CookieSerializeError } from "../../src/core/errors.js";
import { generateToken, webCryptoRandom } from "../../src/core/token.js";

const DEFAULTS = resolveCookieOptions(undefined);
const SHARED = resolveCookieOptions({
  name: "__Secure-sid",
  domain: "example.test",
  path: "/app",
  sameSite: "strict",
  partitioned: true,
});

function freshToken(): string {
  return generateToken(webCryptoRandom).token;
}

// Runs `build` and returns the CookieSerializeError it throws.
function serializeErrorOf(build: () => string): CookieSerializeError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(CookieSerializeError);
    return error as CookieSerializeError;
  }
  throw new Error("expected a CookieSerializeError");
}

describe("serializeSessionCookie", () => {
  it("writes the SER-01 default line: __Host-, Path=/, Secure, HttpOnly, Lax, no Domain", () => {
    const token = freshToken();

    expect(serializeSessionCookie(DEFAULTS, token, null)).toBe(
      `__Host-sid=${token}; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
  });

  it("adds an integer Max-Age for a persistent cookie (SER-01)", () => {
    const token = freshToken();

    expect(serializeSessionCookie(DEFAULTS, token, 3600)).toBe(
      `__Host-sid=${token}; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
  });

  it("writes Domain, Path, SameSite and Partitioned as configured", () => {
    const line = serializeSessionCookie(SHARED, "abc", null);

    expect(line).toBe(
      "__Secure-sid=abc; Domain=example.test; Path=/app; HttpOnly; Secure; Partitioned; " +
        "SameSite=Strict",
    );
  });

  it.each([
    { input: 34_560_001, expected: MAX_COOKIE_AGE_SECONDS },
    { input: 1e21, expected: MAX_COOKIE_AGE_SECONDS },
    { input: Number.POSITIVE_INFINITY, expected: MAX_COOKIE_AGE_SECONDS },
    { input: Number.MAX_VALUE, expected: MAX_COOKIE_AGE_SECONDS },
    { input: 34_560_000, expected: 34_560_000 },
    { input: 1.5, expected: 1 },
    { input: 59.999, expected: 59 },
    { input: 0.4, expected: 0 },
    { input: 0, expected: 0 },
    { input: -0, expected: 0 },
    { input: -1, expected: 0 },
    { input: Number.NEGATIVE_INFINITY, expected: 0 },
  ])("writes Max-Age=$expected for maxAgeSeconds $input (FR-40)", ({ input, expected }) => {
    const line = serializeSessionCookie(DEFAULTS, freshToken(), input);

    expect(line).toContain(`; Max-Age=${expected};`);
    expect(line).not.toMatch(/Infinity|e\+|Max-Age=-|Max-Age=\d+\./);
  });

  it("throws for a NaN maxAgeSeconds instead of guessing", () => {
    const error = serializeErrorOf(() => serializeSessionCookie(DEFAULTS, "abc", Number.NaN));

    expect(error.code).toBe("cookie-serialize");
  });

  it.each([
    { label: "SER-02 CR LF", value: "a\r\nSet-Cookie: admin=1" },
    { label: "LF", value: "abc\ndef" },
    { label: "NUL", value: "abc\u0000" },
    { label: "semicolon", value: "abc; Domain=evil.test" },
    { label: "space", value: "a b" },
    { label: "comma", value: "a,b" },
    { label: "double quote", value: '"abc"' },
    { label: "backslash", value: "a\\b" },
    { label: "DEL", value: "a\u007fb" },
    { label: "non-ASCII", value: "abé" },
  ])("throws before any header exists for a value with $label", ({ value }) => {
    const error = serializeErrorOf(() => serializeSessionCookie(DEFAULTS, value, null));

    expect(error.message).not.toContain(value);
  });

  it("does not echo the token when the line is too long", () => {
    const value = "Z".repeat(5000);
    const error = serializeErrorOf(() => serializeSessionCookie(DEFAULTS, value, null));

    expect(error.message).not.toContain("ZZZZ");
    expect(error.message).toMatch(/maxSetCookieBytes/);
  });

  it("throws for name + value of 4097 bytes (SER-05)", () => {
    const value = "a".repeat(4097 - "__Host-sid=".length);

    serializeErrorOf(() => serializeSessionCookie(DEFAULTS, value, null));
  });

  it("throws for a 5000-byte value (FR-44): no silent oversized or dropped cookie", () => {
    serializeErrorOf(() => serializeSessionCookie(SHARED, "v".repeat(5000), 600));
  });

  describe("FR-26: the full line, attributes included, is measured", () => {
    const options = resolveCookieOptions({ name: "__Secure-sid", domain: "example.test" });
    const overhead = serializeSessionCookie(options, "", 1_209_600).length;

    it.each([4000, 4096])("accepts a full line of %i bytes", (total) => {
      const line = serializeSessionCookie(options, "v".repeat(total - overhead), 1_209_600);

      expect(new TextEncoder().encode(line).length).toBe(total);
    });

    it.each([4097, 4100])("rejects a full line of %i bytes", (total) => {
      const value = "v".repeat(total - overhead);

      serializeErrorOf(() => serializeSessionCookie(options, value, 1_209_600));
    });

    it("rejects a line whose name and value fit but whose attributes push it over", () => {
      const value = "v".repeat(4090 - "__Secure-sid=".length);

      serializeErrorOf(() => serializeSessionCookie(options, value, 1_209_600));
    });

    it("honours a configured maxSetCookieBytes", () => {
      const small = resolveCookieOptions({ maxSetCookieBytes: 256 });

      expect(serializeSessionCookie(small, "v".repeat(150), null).length).toBeLessThan(256);
      serializeErrorOf(() => serializeSessionCookie(small, "v".repeat(250), null));
    });
  });
});

describe("serializeClearingCookie", () => {
  it("clears with the same name and Path, empty value, Max-Age=0, past Expires (R19)", () => {
    expect(serializeClearingCookie(DEFAULTS)).toBe(
      "__Host-sid=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; " +
        "SameSite=Lax",
    );
  });

  it("keeps Domain, Path and Partitioned so it matches the cookie it replaces", () => {
    const line = serializeClearingCookie(SHARED);
    const parsed = parseSetCookie(line);

    expect(parsed).toMatchObject({
      name: "__Secure-sid",
      value: "",
      maxAge: 0,
      domain: "example.test",
      path: "/app",
      secure: true,
      partitioned: true,
    });
    expect(parsed.expires?.getTime()).toBe(0);
  });

  it("is one header line whose Expires comma is not a cookie separator (FR-29)", () => {
    const line = serializeClearingCookie(DEFAULTS);

    expect(line).not.toMatch(/[\r\n]/);
    expect(parseSetCookie(line).expires?.toUTCString()).toBe("Thu, 01 Jan 1970 00:00:00 GMT");
  });
});
