import { describe, expect, it } from "vitest";
import { PlainCodec } from "../../src/codec/plain.js";
import { CookieSerializeError } from "../../src/core/errors.js";
import { generateToken, webCryptoRandom } from "../../src/core/token.js";

const codec = new PlainCodec();
const T = generateToken(webCryptoRandom).token;
const MALFORMED = { ok: false, reason: "malformed" };

describe("PlainCodec.encode", () => {
  it("returns the token unchanged", () => {
    expect(codec.encode(T)).toBe(T);
  });

  it.each(["", "abc", `${T}x`, `${T.slice(0, -1)}+`])("throws for the non-token %j", (value) => {
    expect(() => codec.encode(value)).toThrow(CookieSerializeError);
  });
});

describe("PlainCodec.decode", () => {
  it("accepts an issued token as not stale", () => {
    expect(codec.decode(T)).toEqual({ ok: true, token: T, stale: false });
  });

  it.each([
    { id: "TOK-01", label: "empty", value: "" },
    { id: "TOK-02", label: "one char short (65)", value: T.slice(0, -1) },
    { id: "TOK-02", label: "one char extra (67)", value: `${T}A` },
    { id: "TOK-03", label: "+ inside", value: `${T.slice(0, 30)}+${T.slice(31)}` },
    { id: "TOK-03", label: "/ inside", value: `${T.slice(0, 30)}/${T.slice(31)}` },
    { id: "TOK-03", label: "= padding", value: `${T.slice(0, -2)}==` },
    { id: "TOK-03", label: "%41 not decoded", value: `%41${T.slice(3)}` },
    { id: "TOK-03", label: "no dot", value: `${T.slice(0, 22)}A${T.slice(23)}` },
    { id: "TOK-03", label: "dot moved", value: `A${T.slice(0, 22)}${T.slice(23)}` },
    { id: "PAR-09", label: "10 KB value", value: "A".repeat(10_240) },
    { id: "PAR-12", label: "trailing NUL", value: `${T}\u0000` },
    { id: "PAR-12", label: "CR LF inside", value: `${T.slice(0, 30)}\r\n${T.slice(32)}` },
    { id: "PAR-12", label: "undefined", value: undefined },
    { id: "PAR-12", label: "null", value: null },
    { id: "PAR-12", label: "array", value: [] },
    { id: "PAR-12", label: "array holding the token", value: [T] },
    { id: "PAR-12", label: "number", value: 42 },
    { id: "PAR-12", label: "object", value: { toString: () => T } },
    { id: "PAR-12", label: "String object", value: new String(T) },
    { id: "PAR-12", label: "symbol", value: Symbol("t") },
    { id: "INJ-01", label: "*", value: "*" },
    { id: "INJ-01", label: "SQL", value: "' OR '1'='1" },
    { id: "quotes", label: "quoted token", value: `"${T}"` },
    { id: "spaces", label: "leading space", value: ` ${T.slice(1)}` },
  ])("gives malformed for $label ($id) without throwing", ({ value }) => {
    expect(codec.decode(value)).toEqual(MALFORMED);
  });
});
