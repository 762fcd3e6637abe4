import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DecodeResult } from "../../src/codec/codec.js";
import { PlainCodec } from "../../src/codec/plain.js";
import { SignedCodec } from "../../src/codec/signed.js";
import { findSessionCookieValues } from "../../src/cookie/parse.js";

// G8: total input handling, checked over arbitrary input rather than a hand-picked list.
const RUNS = { numRuns: 10_000 };
const NAME = "__Host-sid";
const OLD_KEY = "old key: 0123456789abcdef0123456789abcdef";
const NEW_KEY = "new key: 0123456789abcdef0123456789abcdef";

const plain = new PlainCodec();
const signed = new SignedCodec({ keys: [NEW_KEY, OLD_KEY], cookieName: NAME });
const oldSigner = new SignedCodec({ keys: [OLD_KEY], cookieName: NAME });

const tokenArb = fc
  .tuple(
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
  )
  .map(
    ([id, secret]) =>
      `${Buffer.from(id).toString("base64url")}.${Buffer.from(secret).toString("base64url")}`,
  );

// Strings near the interesting shapes: cookie syntax, base64url, and lengths around 66 and 110.
const cookieishArb = fc
  .array(
    fc.oneof(
      fc.constantFrom(";", "=", " ", "\t", ",", '"', "%41", ".", "\r\n", "\u0000", NAME, "A"),
      fc.string({ unit: "binary", maxLength: 12 }),
      tokenArb,
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));

const anyInputArb = fc.oneof(fc.anything(), fc.string({ unit: "binary" }), cookieishArb);

// Whether `value` is exactly what one of the codec's keys would have produced for the token.
function producedBySigned(value: unknown, result: DecodeResult): boolean {
  if (!result.ok || typeof value !== "string") return false;
  return value === signed.encode(result.token) || value === oldSigner.encode(result.token);
}

describe("decode and cookie scan properties", () => {
  it("findSessionCookieValues never throws and never returns a value containing ';'", () => {
    fc.assert(
      fc.property(fc.oneof(anyInputArb, fc.array(anyInputArb, { maxLength: 4 })), (header) => {
        const values = findSessionCookieValues(header as string, NAME);

        expect(Array.isArray(values)).toBe(true);
        for (const value of values) {
          expect(typeof value).toBe("string");
          expect(value.includes(";")).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it("PlainCodec.decode never throws and accepts only what encode produces", () => {
    fc.assert(
      fc.property(anyInputArb, (value) => {
        const result = plain.decode(value);

        if (result.ok) expect(plain.encode(result.token)).toBe(value);
        else expect(result.reason).toBe("malformed");
      }),
      RUNS,
    );
  });

  it("SignedCodec.decode never throws and accepts only what encode produces", () => {
    fc.assert(
      fc.property(anyInputArb, (value) => {
        const result = signed.decode(value);

        if (result.ok) expect(producedBySigned(value, result)).toBe(true);
        else expect(["malformed", "bad-signature"]).toContain(result.reason);
      }),
      RUNS,
    );
  });

  it("SignedCodec.decode rejects every single-character change to a signed value", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

    fc.assert(
      fc.property(
        tokenArb,
        fc.boolean(),
        fc.nat({ max: 109 }),
        fc.constantFrom(...alphabet.split("")),
        (token, useOldKey, index, replacement) => {
          const original = (useOldKey ? oldSigner : signed).encode(token);
          const mutated = original.slice(0, index) + replacement + original.slice(index + 1);
          const result = signed.decode(mutated);

          if (mutated === original) {
            expect(result).toEqual({ ok: true, token, stale: useOldKey });
          } else {
            expect(result.ok).toBe(false);
          }
        },
      ),
      RUNS,
    );
  });
});
