import { describe, expect, it } from "vitest";
import { PlainCodec } from "../../src/codec/plain.js";
import { findSessionCookieValues, parseCookieHeader } from "../../src/cookie/parse.js";
import { generateToken, webCryptoRandom } from "../../src/core/token.js";
import { MAX_COOKIE_PAIRS, scanCookieHeader } from "../../src/internal/cookie-scan.js";

const NAME = "__Host-sid";
const T = generateToken(webCryptoRandom).token;
const T2 = generateToken(webCryptoRandom).token;
const codec = new PlainCodec();

// What the manager does with a header: find the values, then decode each.
function decodeAll(header: string | string[]) {
  return findSessionCookieValues(header, NAME).map((value) => codec.decode(value));
}

describe("findSessionCookieValues", () => {
  it.each([
    { label: "single cookie", header: `${NAME}=${T}`, expected: [T] },
    { label: "among others", header: `a=1; ${NAME}=${T}; b=2`, expected: [T] },
    { label: "no spaces", header: `a=1;${NAME}=${T};b=2`, expected: [T] },
    { label: "spaces and tabs trimmed", header: `a=1;\t ${NAME} = ${T} \t;b=2`, expected: [T] },
    { label: "PAR-01 two live tokens", header: `${NAME}=${T}; ${NAME}=${T2}`, expected: [T, T2] },
    {
      label: "PAR-02 identical duplicates",
      header: `${NAME}=${T}; ${NAME}=${T}`,
      expected: [T, T],
    },
    { label: "FR-41 order kept", header: "sid=first; sid=second", expected: [] },
    { label: "TOK-01 empty value", header: `${NAME}=`, expected: [""] },
    { label: "TOK-01 no equals sign", header: NAME, expected: [""] },
    { label: "R25 lower-case prefix", header: `__host-sid=${T}`, expected: [] },
    { label: "R25 upper-case prefix", header: `__HOST-sid=${T}`, expected: [] },
    { label: "FIX-05 prefix stripped", header: `sid=${T}`, expected: [] },
    { label: "longer name", header: `${NAME}x=${T}`, expected: [] },
    { label: "R26 no percent-decoding", header: `${NAME}=%41%42`, expected: ["%41%42"] },
    { label: "quotes kept", header: `${NAME}="${T}"`, expected: [`"${T}"`] },
    { label: "value with =", header: `${NAME}=a=b`, expected: ["a=b"] },
    { label: "PAR-04 comma-joined fields", header: `a=1, ${NAME}=${T}`, expected: [] },
    { label: "stray semicolons", header: `;;${NAME}=${T};;`, expected: [T] },
    { label: "empty header", header: "", expected: [] },
  ])("lists $expected for $label", ({ header, expected }) => {
    expect(findSessionCookieValues(header, NAME)).toEqual(expected);
  });

  it("lists every value of a name in order (FR-41)", () => {
    expect(findSessionCookieValues("sid=first; sid=second", "sid")).toEqual(["first", "second"]);
    expect(findSessionCookieValues(["sid=first", "sid=second"], "sid")).toEqual([
      "first",
      "second",
    ]);
  });

  it("reads every header field, in order (R22, PAR-04 split fields)", () => {
    expect(findSessionCookieValues(["a=1", `${NAME}=${T}`], NAME)).toEqual([T]);
    expect(findSessionCookieValues([`${NAME}=${T}`, "b=2", `${NAME}=${T2}`], NAME)).toEqual([
      T,
      T2,
    ]);
  });

  it("never yields a session from a comma-folded header (PAR-04)", () => {
    for (const header of [
      `a=1, ${NAME}=${T}`,
      `${NAME}=${T}, a=1`,
      `${NAME}=${T}, ${NAME}=${T2}`,
    ]) {
      const decoded = decodeAll(header);

      expect(decoded.every((result) => !result.ok)).toBe(true);
    }
  });

  it.each([
    { label: "empty value", header: `${NAME}=` },
    { label: "bare name", header: NAME },
    { label: "%41 in place of A", header: `${NAME}=${"%41".repeat(22)}` },
    { label: "PAR-06 bad escape", header: `${NAME}=%E0%A4%A; other=%` },
    { label: "quoted token", header: `${NAME}="${T}"` },
  ])("gives values that decode as malformed for $label (TOK-01, TOK-03, PAR-06)", ({ header }) => {
    const decoded = decodeAll(header);

    expect(decoded).toEqual([{ ok: false, reason: "malformed" }]);
  });

  it.each([
    { label: "undefined", header: undefined },
    { label: "null", header: null },
    { label: "a number", header: 42 },
    { label: "an object", header: { cookie: `${NAME}=${T}` } },
    { label: "an array of junk", header: [1, null, {}, [`${NAME}=${T}`], undefined] },
    { label: "a symbol", header: Symbol("x") },
  ])("returns [] for $label and never throws (PAR-12)", ({ header }) => {
    expect(findSessionCookieValues(header as unknown as string, NAME)).toEqual([]);
  });

  it("reads the session cookie after ten 1000-byte pads (PAR-08) in 11 pairs", () => {
    const pads = Array.from({ length: 10 }, (_, index) => `pad${index}=${"a".repeat(1000)}`);
    const header = [...pads, `${NAME}=${T}`].join("; ");
    const scan = scanCookieHeader(header, NAME);

    expect(scan.values).toEqual([T]);
    expect(scan.pairsExamined).toBe(11);
  });

  it.each([
    { label: "100 000 semicolons", header: ";".repeat(100_000) },
    { label: "50 000 pairs", header: "a=1; ".repeat(50_000) },
    { label: "50 000 bare names", header: `${NAME};`.repeat(50_000) },
    { label: "100 000 fields", header: Array.from({ length: 100_000 }, () => "a=1") },
  ])("examines at most the pair cap for $label (PAR-10)", ({ header }) => {
    const scan = scanCookieHeader(header, NAME);

    expect(scan.pairsExamined).toBe(MAX_COOKIE_PAIRS);
    expect(scan.values.length).toBeLessThanOrEqual(MAX_COOKIE_PAIRS);
  });

  it("examines one pair for 100 000 spaces and finds nothing (PAR-10)", () => {
    const scan = scanCookieHeader(" ".repeat(100_000), NAME);

    expect(scan).toEqual({ values: [], pairsExamined: 1 });
  });

  it("finds a cookie inside the pair cap and ignores one past it (R27)", () => {
    const before = Array.from({ length: MAX_COOKIE_PAIRS - 1 }, (_, index) => `c${index}=1`);

    expect(findSessionCookieValues([...before, `${NAME}=${T}`].join("; "), NAME)).toEqual([T]);
    expect(findSessionCookieValues([...before, "x=1", `${NAME}=${T}`].join("; "), NAME)).toEqual(
      [],
    );
  });
});

describe("parseCookieHeader", () => {
  it.each([
    { label: "FR-15 hasOwnProperty", header: "hasOwnProperty=x; sid=abc" },
    { label: "FR-15 __proto__", header: "__proto__=polluted; sid=abc" },
    { label: "FR-15 constructor/toString", header: "constructor=1; toString=2; sid=abc" },
  ])("reads sid with $label as a plain key, without touching prototypes", ({ header }) => {
    const cookies = parseCookieHeader(header);

    expect(cookies.sid).toBe("abc");
    expect(Object.getPrototypeOf(cookies)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it("keeps __proto__, constructor, hasOwnProperty and toString as values (PAR-05)", () => {
    const header = `__proto__=x; constructor=y; hasOwnProperty=z; toString=w; ${NAME}=${T}`;
    const cookies = parseCookieHeader(header);

    expect(Object.entries(cookies)).toEqual([
      ["__proto__", "x"],
      ["constructor", "y"],
      ["hasOwnProperty", "z"],
      ["toString", "w"],
      [NAME, T],
    ]);
    expect(findSessionCookieValues(header, NAME)).toEqual([T]);
  });

  it("gives undefined, never an inherited function, for an absent name (FR-15)", () => {
    const cookies = parseCookieHeader("__proto__=polluted; sid=abc");

    expect(cookies.toString).toBeUndefined();
    expect(cookies.hasOwnProperty).toBeUndefined();
    expect(cookies.constructor).toBeUndefined();
  });

  it("keeps the raw value for a bad percent escape (PAR-06)", () => {
    expect({ ...parseCookieHeader(`${NAME}=%E0%A4%A; other=%`) }).toEqual({
      [NAME]: "%E0%A4%A",
      other: "%",
    });
  });

  it("agrees with findSessionCookieValues on the first of duplicate names (FR-41)", () => {
    expect(parseCookieHeader("sid=first; sid=second").sid).toBe("first");
    expect(parseCookieHeader(["sid=first", "sid=second"]).sid).toBe("first");
    expect(findSessionCookieValues("sid=first; sid=second", "sid")[0]).toBe("first");
  });

  it.each([undefined, null, 42, {}, [1, null], Symbol("x")])(
    "returns an empty map for %s and never throws",
    (header) => {
      const cookies = parseCookieHeader(header as unknown as string);

      expect(Object.keys(cookies)).toEqual([]);
      expect(Object.getPrototypeOf(cookies)).toBeNull();
    },
  );
});
