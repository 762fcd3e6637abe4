import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SignedCodec } from "../../src/codec/signed.js";
import { ConfigError, CookieSerializeError } from "../../src/core/errors.js";
import { generateToken, webCryptoRandom } from "../../src/core/token.js";

const NAME = "__Host-sid";
const KEY_A = "key A: 0123456789abcdef0123456789abcdef";
const KEY_B = crypto.getRandomValues(new Uint8Array(32));
const KEY_C = "key C: ffffffffffffffffffffffffffffffff";
const T = generateToken(webCryptoRandom).token;

function codecWith(keys: Array<string | Uint8Array>, purpose?: string): SignedCodec {
  return new SignedCodec({ keys, cookieName: NAME, purpose });
}

// The independent oracle: node:crypto's HMAC over the documented MAC input.
function oracleTag(key: string | Uint8Array, token: string, name = NAME, purpose = "session") {
  const message = `latchkey/v1\0${purpose}\0${name}\0${token}`;
  return createHmac("sha256", key).update(message, "utf8").digest("base64url");
}

function configErrorOf(build: () => unknown): ConfigError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

// `value` with the character at `index` replaced by a different base64url character.
function flipAt(value: string, index: number): string {
  const replacement = value[index] === "A" ? "B" : "A";
  return value.slice(0, index) + replacement + value.slice(index + 1);
}

describe("SignedCodec.encode", () => {
  it.each([
    { label: "string key", key: KEY_A },
    { label: "Uint8Array key", key: KEY_B },
  ])("appends the HMAC-SHA256 tag node:crypto computes ($label)", ({ key }) => {
    const value = codecWith([key]).encode(T);

    expect(value).toBe(`${T}.${oracleTag(key, T)}`);
    expect(value).toHaveLength(110);
  });

  it("binds the purpose and cookie name into the tag (R47)", () => {
    const csrf = codecWith([KEY_A], "csrf").encode(T);
    const other = new SignedCodec({ keys: [KEY_A], cookieName: "other" }).encode(T);

    expect(csrf).toBe(`${T}.${oracleTag(KEY_A, T, NAME, "csrf")}`);
    expect(other).toBe(`${T}.${oracleTag(KEY_A, T, "other")}`);
  });

  it("signs with the first key only (FR-21)", () => {
    expect(codecWith([KEY_C, KEY_A]).encode(T)).toBe(`${T}.${oracleTag(KEY_C, T)}`);
  });

  it.each(["", "user-1", `${T}.x`])("throws for the non-token %j", (value) => {
    expect(() => codecWith([KEY_A]).encode(value)).toThrow(CookieSerializeError);
  });

  it("copies key bytes, so later changes to the caller's array have no effect", () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const codec = codecWith([key]);
    const expected = `${T}.${oracleTag(new Uint8Array(key), T)}`;
    key.fill(0);

    expect(codec.encode(T)).toBe(expected);
  });
});

describe("SignedCodec.decode", () => {
  const codec = codecWith([KEY_A]);
  const signed = codec.encode(T);
  const tag = signed.slice(67);

  it("accepts its own value as not stale", () => {
    expect(codec.decode(signed)).toEqual({ ok: true, token: T, stale: false });
  });

  it("accepts a value signed by node:crypto with the same key and context", () => {
    expect(codec.decode(`${T}.${oracleTag(KEY_A, T)}`)).toEqual({
      ok: true,
      token: T,
      stale: false,
    });
  });

  it("fails a removed key, marks a listed old key stale (TOK-10, FR-19, FR-21)", () => {
    const oldValue = codecWith([KEY_A]).encode(T);
    const rotated = codecWith([KEY_C, KEY_A]);
    const newOnly = codecWith([KEY_C]);

    expect(newOnly.decode(oldValue)).toEqual({ ok: false, reason: "bad-signature" });
    expect(rotated.decode(oldValue)).toEqual({ ok: true, token: T, stale: true });

    const resigned = rotated.encode(T);
    expect(newOnly.decode(resigned)).toEqual({ ok: true, token: T, stale: false });
    expect(rotated.decode(resigned)).toEqual({ ok: true, token: T, stale: false });
  });

  it.each([
    {
      id: "TOK-12",
      label: "CSRF purpose, same keyring",
      value: codecWith([KEY_A], "csrf").encode(T),
    },
    {
      id: "FR-36",
      label: "another cookie name",
      value: new SignedCodec({ keys: [KEY_A], cookieName: "__Host-csrf" }).encode(T),
    },
    { id: "FR-18", label: "wrong MAC", value: `${T}.${oracleTag(KEY_C, T)}` },
    { id: "TOK-05", label: "tag flipped", value: flipAt(signed, 80) },
    { id: "tamper", label: "token id flipped", value: flipAt(signed, 3) },
    { id: "tamper", label: "token secret flipped", value: flipAt(signed, 40) },
    {
      id: "tamper",
      label: "tag of another token",
      value: `${generateToken(webCryptoRandom).token}.${tag}`,
    },
  ])("gives bad-signature for $label ($id)", ({ value }) => {
    expect(codec.decode(value)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("rejects a tag whose last character differs only in padding bits (one spelling)", () => {
    const last = tag.charCodeAt(42);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const index = alphabet.indexOf(String.fromCharCode(last));
    const sibling = alphabet[index ^ 1] as string;

    expect(codec.decode(`${signed.slice(0, -1)}${sibling}`)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
  });

  it.each([
    { id: "TOK-11", label: "<v>.<sig>garbage", value: `${signed}garbage` },
    { id: "TOK-11", label: "<v>.<sig>.x", value: `${signed}.x` },
    { id: "TOK-11", label: "garbage.<v>.<sig>", value: `garbage.${signed}` },
    { id: "TOK-11", label: "tag one char short", value: signed.slice(0, -1) },
    { id: "TOK-11", label: "tag one char long", value: `${signed}A` },
    { id: "FR-18", label: "unsigned token", value: T },
    { id: "FR-18", label: "unsigned user id", value: "user-1" },
    { id: "FR-20", label: "percent-encoded dot", value: `${T}%2E${tag}` },
    { id: "FR-20", label: "%41 for A", value: `%41${signed.slice(3)}` },
    { id: "FR-42", label: "empty value", value: "" },
    { id: "FR-42", label: "empty payload with tag", value: `.${tag}` },
    { id: "shape", label: "dot in the wrong place", value: `${T.slice(0, 66)}A${tag.slice(1)}` },
    { id: "shape", label: "base64 + and /", value: `${signed.slice(0, 70)}+/${signed.slice(72)}` },
    { id: "PAR-09", label: "10 KB value", value: "A".repeat(10_240) },
    { id: "PAR-12", label: "trailing NUL", value: `${signed.slice(0, -1)}\u0000` },
    { id: "PAR-12", label: "CR LF inside", value: `${signed.slice(0, 50)}\r\n${signed.slice(52)}` },
    { id: "PAR-12", label: "undefined", value: undefined },
    { id: "PAR-12", label: "null", value: null },
    { id: "PAR-12", label: "array", value: [] },
    { id: "PAR-12", label: "array holding the value", value: [signed] },
    { id: "PAR-12", label: "number", value: 42 },
    { id: "PAR-12", label: "object", value: { toString: () => signed } },
    { id: "PAR-12", label: "symbol", value: Symbol("v") },
  ])("gives malformed for $label ($id) without throwing", ({ value }) => {
    expect(codec.decode(value)).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("SignedCodec constructor", () => {
  it.each([
    { id: "CFG-04", label: "empty keyring", keys: [] },
    { id: "CFG-04", label: "31-byte string key", keys: ["k".repeat(31)] },
    { id: "CFG-04", label: "31-byte Uint8Array key", keys: [new Uint8Array(31)] },
    { id: "CFG-04", label: "31 UTF-8 bytes in 16 characters", keys: [`${"é".repeat(15)}x`] },
    { id: "CFG-04", label: "short second key", keys: [KEY_A, "short"] },
    { id: "CFG-04", label: "duplicate strings", keys: [KEY_A, KEY_C, KEY_A] },
    { id: "CFG-04", label: "string and its bytes", keys: [KEY_A, new TextEncoder().encode(KEY_A)] },
    { id: "CFG-04", label: "duplicate Uint8Arrays", keys: [KEY_B, new Uint8Array(KEY_B)] },
    { id: "CFG-04", label: "number key", keys: [12345678901234567890123456789012] },
    { id: "CFG-04", label: "null key", keys: [null] },
    { id: "CFG-04", label: "object key", keys: [{ key: KEY_A }] },
    { id: "CFG-04", label: "ArrayBuffer key", keys: [new ArrayBuffer(32)] },
    { id: "CFG-04", label: "array of numbers", keys: [Array.from({ length: 32 }, () => 1)] },
    { id: "CFG-04", label: "a string keyring", keys: KEY_A },
    { id: "CFG-04", label: "missing keyring", keys: undefined },
  ])("throws ConfigError(keys) for $label", ({ keys }) => {
    const error = configErrorOf(
      () => new SignedCodec({ keys: keys as Array<string | Uint8Array>, cookieName: NAME }),
    );

    expect(error.field).toBe("keys");
    expect(error.message).not.toContain(KEY_A);
  });

  it("counts a string key's UTF-8 bytes: 16 × é is 32 bytes and accepted", () => {
    const key = "é".repeat(16);

    expect(codecWith([key]).encode(T)).toBe(`${T}.${oracleTag(key, T)}`);
  });

  it.each([
    { field: "cookieName", options: { keys: [KEY_A], cookieName: "" } },
    { field: "cookieName", options: { keys: [KEY_A], cookieName: "a;b" } },
    { field: "cookieName", options: { keys: [KEY_A], cookieName: "a\u0000b" } },
    { field: "purpose", options: { keys: [KEY_A], cookieName: NAME, purpose: "" } },
    { field: "purpose", options: { keys: [KEY_A], cookieName: NAME, purpose: "a\u0000b" } },
  ])("throws ConfigError($field) for $options", ({ field, options }) => {
    expect(configErrorOf(() => new SignedCodec(options)).field).toBe(field);
  });
});
