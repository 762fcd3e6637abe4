import { describe, expect, it } from "vitest";
import type { CookieOptions } from "../../src/cookie/options.js";
import { resolveCookieOptions } from "../../src/cookie/resolve.js";
import { ConfigError, isLatchkeyError } from "../../src/core/errors.js";

// Resolves `options` and returns the ConfigError it throws, failing the test if none is thrown.
function configErrorOf(options: unknown): ConfigError {
  try {
    resolveCookieOptions(options as CookieOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`resolveCookieOptions accepted ${JSON.stringify(options)}`);
}

const SER_03_NAME = "userName=<script>alert(1)</script>; Max-Age=2592000; a";
const DEV = { name: "sid", insecureDevMode: true } as const;

describe("resolveCookieOptions", () => {
  it("applies the documented defaults when no options are given", () => {
    const resolved = resolveCookieOptions(undefined);

    expect(resolved).toEqual({
      name: "__Host-sid",
      path: "/",
      domain: undefined,
      sameSite: "lax",
      secure: true,
      httpOnly: true,
      partitioned: false,
      insecureDevMode: false,
      allowCrossSite: false,
      maxSetCookieBytes: 4096,
    });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(resolveCookieOptions({})).toEqual(resolved);
  });

  it.each([
    { label: "plain name", options: { name: "sid" } },
    { label: "FR-16 every tchar", options: { name: "a!#$%&'*+-.^_`|~" } },
    { label: "__Secure- with a Domain", options: { name: "__Secure-sid", domain: "example.test" } },
    { label: "sub-domain", options: { name: "sid", domain: "a-1.example.co.uk" } },
    { label: "single label", options: { name: "sid", domain: "localhost" } },
    { label: "narrow path", options: { name: "sid", path: "/app/v1" } },
    {
      label: "SameSite=None with Secure and the opt-in",
      options: { sameSite: "none", allowCrossSite: true },
    },
    { label: "SameSite in any case", options: { sameSite: "Strict" } },
    { label: "Partitioned with Secure", options: { partitioned: true } },
    { label: "smallest line limit", options: { maxSetCookieBytes: 256 } },
    { label: "largest line limit", options: { maxSetCookieBytes: 8192 } },
  ] satisfies Array<{ label: string; options: Record<string, unknown> }>)(
    "accepts a valid configuration: $label",
    ({ options }) => {
      const resolved = resolveCookieOptions(options as CookieOptions);

      for (const [key, value] of Object.entries(options)) {
        const expected = key === "sameSite" ? String(value).toLowerCase() : value;
        expect(resolved[key as keyof typeof resolved]).toBe(expected);
      }
    },
  );

  it.each([
    { id: "CFG-05", name: "" },
    { id: "CFG-05", name: "id;" },
    { id: "CFG-05", name: "id=" },
    { id: "CFG-05", name: "i d" },
    { id: "CFG-05", name: "idé" },
    { id: "SER-03", name: SER_03_NAME },
    { id: "FR-16", name: "sid; Max-Age=999999; Domain=example.test; x" },
    { id: "FR-16", name: "bad name" },
    { id: "FR-16", name: "bad=name" },
    { id: "header injection", name: "sid\r\nSet-Cookie: admin=1" },
    { id: "separator", name: "a,b" },
    { id: "not a string", name: 42 },
  ])("rejects the cookie name $name ($id) as cookie.name", ({ name }) => {
    expect(configErrorOf({ name }).field).toBe("cookie.name");
  });

  it.each([
    { id: "CFG-01", options: { domain: "example.test" }, field: "cookie.domain" },
    { id: "CFG-01", options: { path: "/app" }, field: "cookie.path" },
    { id: "CFG-01", options: { secure: false, insecureDevMode: true }, field: "cookie.secure" },
    {
      id: "CFG-01",
      options: { name: "__host-sid", domain: "example.test" },
      field: "cookie.domain",
    },
    { id: "CFG-01", options: { name: "__HOST-sid", path: "/app" }, field: "cookie.path" },
    {
      id: "CFG-01",
      options: { name: "__Secure-sid", secure: false, insecureDevMode: true },
      field: "cookie.secure",
    },
    {
      id: "CFG-01",
      options: { name: "__sEcUrE-sid", secure: false, insecureDevMode: true },
      field: "cookie.secure",
    },
    {
      id: "CFG-02",
      options: { ...DEV, sameSite: "none", allowCrossSite: true, secure: false },
      field: "cookie.sameSite",
    },
    {
      id: "CFG-02",
      options: { sameSite: "none" },
      field: "cookie.sameSite",
    },
    {
      id: "CFG-02",
      options: { ...DEV, sameSite: "None", allowCrossSite: true, secure: false },
      field: "cookie.sameSite",
    },
    {
      id: "CFG-02",
      options: { ...DEV, partitioned: true, secure: false },
      field: "cookie.partitioned",
    },
    { id: "CFG-06", options: { name: "sid", secure: false }, field: "cookie.secure" },
    { id: "CFG-06", options: { httpOnly: false }, field: "cookie.httpOnly" },
    { id: "SER-04", options: { name: "sid", path: "/; Path=/admin" }, field: "cookie.path" },
    {
      id: "FR-16",
      options: { name: "sid", path: "/; Domain=evil.example.test" },
      field: "cookie.path",
    },
    { id: "SER-04", options: { name: "sid", path: "app" }, field: "cookie.path" },
    { id: "SER-04", options: { name: "sid", path: "/a\u0000b" }, field: "cookie.path" },
    { id: "SER-04", options: { name: "sid", path: "/a\u007fb" }, field: "cookie.path" },
    { id: "SER-04", options: { name: "sid", path: "/a\r\nb" }, field: "cookie.path" },
    { id: "SER-04", options: { name: "sid", path: "/é" }, field: "cookie.path" },
    { id: "SER-04", options: { name: "sid", path: `/${"a".repeat(1024)}` }, field: "cookie.path" },
    {
      id: "SER-04",
      options: { name: "sid", domain: "example.com; Secure" },
      field: "cookie.domain",
    },
    { id: "SER-04", options: { name: "sid", domain: "domain..com" }, field: "cookie.domain" },
    { id: "SER-04", options: { name: "sid", domain: "my site.org" }, field: "cookie.domain" },
    { id: "domain", options: { name: "sid", domain: ".example.com" }, field: "cookie.domain" },
    { id: "domain", options: { name: "sid", domain: "example.com." }, field: "cookie.domain" },
    { id: "domain", options: { name: "sid", domain: "" }, field: "cookie.domain" },
    { id: "domain", options: { name: "sid", domain: "-a.example" }, field: "cookie.domain" },
    { id: "domain", options: { name: "sid", domain: "exämple.com" }, field: "cookie.domain" },
    {
      id: "domain",
      options: { name: "sid", domain: `${"a".repeat(64)}.example` },
      field: "cookie.domain",
    },
    { id: "limit", options: { maxSetCookieBytes: 255 }, field: "cookie.maxSetCookieBytes" },
    { id: "limit", options: { maxSetCookieBytes: 8193 }, field: "cookie.maxSetCookieBytes" },
    { id: "limit", options: { maxSetCookieBytes: 1000.5 }, field: "cookie.maxSetCookieBytes" },
    { id: "limit", options: { maxSetCookieBytes: Number.NaN }, field: "cookie.maxSetCookieBytes" },
    { id: "limit", options: { maxSetCookieBytes: "4096" }, field: "cookie.maxSetCookieBytes" },
    { id: "type", options: { sameSite: "lol" }, field: "cookie.sameSite" },
    { id: "type", options: { sameSite: true }, field: "cookie.sameSite" },
    { id: "type", options: { secure: "false" }, field: "cookie.secure" },
    { id: "type", options: { partitioned: 1 }, field: "cookie.partitioned" },
    { id: "type", options: { insecureDevMode: "yes" }, field: "cookie.insecureDevMode" },
    { id: "type", options: "__Host-sid", field: "cookie" },
    { id: "type", options: null, field: "cookie" },
  ])("rejects $id $options as $field", ({ options, field }) => {
    const error = configErrorOf(options);

    expect(error.field).toBe(field);
    expect(error.code).toBe("config");
    expect(isLatchkeyError(error)).toBe(true);
  });

  it("allows Secure and HttpOnly off with insecureDevMode and an unprefixed name (CFG-06)", () => {
    const resolved = resolveCookieOptions({ ...DEV, secure: false, httpOnly: false });

    expect(resolved.secure).toBe(false);
    expect(resolved.httpOnly).toBe(false);
    expect(resolved.insecureDevMode).toBe(true);
  });

  it("cuts an echoed bad value to 40 characters", () => {
    const error = configErrorOf({ name: `${"x".repeat(100)};` });

    expect(error.message).toContain("x".repeat(40));
    expect(error.message).not.toContain("x".repeat(41));
    expect(error.message).toContain("101 characters");
  });
});
