import { beforeEach, describe, expect, it, vi } from "vitest";
import { SignedCodec } from "../../src/codec/signed.js";
import { generateToken, webCryptoRandom } from "../../src/core/token.js";

// Counting wrappers around the real @oslojs functions (they still compute the real result), so
// the tests can assert how much cryptographic work a decode does without timing it.
const work = vi.hoisted(() => ({ hmacCalls: 0, compareLengths: [] as Array<[number, number]> }));

vi.mock("@oslojs/crypto/hmac", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@oslojs/crypto/hmac")>();
  return {
    ...actual,
    hmac: (...args: Parameters<typeof actual.hmac>) => {
      work.hmacCalls++;
      return actual.hmac(...args);
    },
  };
});

vi.mock("@oslojs/crypto/subtle", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@oslojs/crypto/subtle")>();
  return {
    ...actual,
    constantTimeEqual: (a: Uint8Array, b: Uint8Array) => {
      work.compareLengths.push([a.length, b.length]);
      return actual.constantTimeEqual(a, b);
    },
  };
});

const KEYS = ["key 1: 0123456789abcdef0123456789abcdef", "key 2: 0123456789abcdef0123456789abcdef"];
const T = generateToken(webCryptoRandom).token;

describe("SignedCodec.decode work", () => {
  const codec = new SignedCodec({ keys: KEYS, cookieName: "__Host-sid" });
  const signed = codec.encode(T);

  beforeEach(() => {
    work.hmacCalls = 0;
    work.compareLengths = [];
  });

  it.each([
    { id: "PAR-09", label: "10 KB value", value: "A".repeat(10_240) },
    { id: "TOK-11", label: "tag one char short", value: signed.slice(0, -1) },
    { id: "TOK-11", label: "<v>.<sig>garbage", value: `${signed}garbage` },
    { id: "TOK-11", label: "garbage.<v>.<sig>", value: `garbage.${signed}` },
    { id: "TOK-03", label: "right length, wrong alphabet", value: `${signed.slice(0, -1)}=` },
    { id: "PAR-12", label: "a number", value: 42 },
  ])("computes no HMAC and no comparison for $label ($id, TIM-02)", ({ value }) => {
    expect(codec.decode(value)).toEqual({ ok: false, reason: "malformed" });
    expect(work.hmacCalls).toBe(0);
    expect(work.compareLengths).toEqual([]);
  });

  it("computes one HMAC per listed key for a right-shaped forgery, comparing equal lengths", () => {
    const forged = `${T}.${"A".repeat(43)}`;

    expect(codec.decode(forged)).toEqual({ ok: false, reason: "bad-signature" });
    expect(work.hmacCalls).toBe(KEYS.length);
    expect(work.compareLengths).toEqual([
      [43, 43],
      [43, 43],
    ]);
  });

  it("stops at the first key that verifies", () => {
    expect(codec.decode(signed)).toEqual({ ok: true, token: T, stale: false });
    expect(work.hmacCalls).toBe(1);
  });
});
