import { hmac } from "@oslojs/crypto/hmac";
import { SHA256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { ConfigError, CookieSerializeError } from "../core/errors.js";
import { TOKEN_LENGTH, parseToken } from "../core/token.js";
import { describeOptionValue, isToken } from "../internal/cookie-grammar.js";
import type { CookieCodec, DecodeResult } from "./codec.js";

/** The shortest key accepted, in bytes (R46: at least 256 bits of secret material). */
export const MIN_KEY_BYTES = 32;

/** Length of the tag: HMAC-SHA256 (32 bytes) in base64url without padding. */
const TAG_LENGTH = 43;
/** Length of a signed value: `<token>.<tag>`. */
const SIGNED_LENGTH = TOKEN_LENGTH + 1 + TAG_LENGTH;
const SIGNED_PATTERN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;

// Versioned so a later format cannot be confused with this one.
const MAC_CONTEXT = "latchkey/v1";

const encoder = new TextEncoder();

/** Options for {@link SignedCodec}. */
export interface SignedCodecOptions {
  /**
   * The keyring, newest first. The first key signs; every key verifies. Each is a string
   * (counted in UTF-8 bytes) or bytes, at least 32 bytes long, and all are distinct. Removing a
   * key ends every session whose cookie it signed.
   */
  keys: Array<string | Uint8Array>;
  /** The session cookie's name; bound into every tag, so a value moved to another cookie fails. */
  cookieName: string;
  /**
   * What the value is for, bound into every tag, so the same keyring can sign other cookies
   * without one being accepted as another (R47). An RFC 9110 token. @default "session"
   */
  purpose?: string;
}

/**
 * A codec that appends an HMAC-SHA256 tag: the cookie value is `<token>.<tag>` (110
 * characters), the tag being base64url without padding of
 * HMAC(key, "latchkey/v1" NUL purpose NUL cookieName NUL token). A forged or altered value is
 * rejected before any store lookup. The tag only gates the lookup: the session still lives in,
 * and is revoked through, the store (R48).
 *
 * Keys rotate without logging anyone out: put the new key first and keep the old one listed;
 * a value verified by a non-first key decodes with `stale: true`, so the manager re-sends it
 * signed with the first key.
 *
 * Throws a `ConfigError` with field `keys` for an empty or non-array keyring, a key that is
 * neither a string nor a `Uint8Array`, a key under 32 bytes, or duplicate keys; with field
 * `cookieName` or `purpose` for a value that is not an RFC 9110 token.
 */
export class SignedCodec implements CookieCodec {
  /** The cookie name the MAC is bound to; the manager checks it against its own at start-up. */
  readonly cookieName: string;
  readonly #keys: readonly Uint8Array[];
  readonly #context: Uint8Array;

  constructor(options: SignedCodecOptions) {
    if (typeof options !== "object" || options === null) {
      throw new ConfigError("keys", "SignedCodec needs an options object with a keys list");
    }

    this.#keys = readKeys(options.keys);
    const cookieName = readTokenOption(options.cookieName, "cookieName");
    this.cookieName = cookieName;
    const purpose =
      options.purpose === undefined ? "session" : readTokenOption(options.purpose, "purpose");

    // Tokens contain no NUL, so the NUL separators make the encoding of the context injective.
    this.#context = encoder.encode(`${MAC_CONTEXT}\0${purpose}\0${cookieName}\0`);
  }

  /**
   * `<token>.<tag>`, signed with the first key. Throws a `CookieSerializeError` if `token` is
   * not a latchkey token, since only tokens are ever signed.
   */
  encode(token: string): string {
    if (typeof token !== "string" || parseToken(token) === null) {
      throw new CookieSerializeError("SignedCodec.encode was given something that is not a token");
    }
    return `${token}.${this.#tag(this.#keys[0] as Uint8Array, token)}`;
  }

  /**
   * Checks the exact length and alphabet first (no HMAC is computed for a value of the wrong
   * shape, however long), then the tag against each key in turn.
   *
   * - `{ ok: true, token, stale }`: `stale` is `true` when a key other than the first verified.
   * - `{ ok: false, reason: "malformed" }`: any type but string, the wrong length, characters
   *   outside base64url, a missing or extra `.`, and the empty value (only tokens are signed,
   *   so an empty value is never a signed value).
   * - `{ ok: false, reason: "bad-signature" }`: the right shape, but no listed key made the tag
   *   for this cookie name and purpose.
   *
   * Never throws.
   */
  decode(value: unknown): DecodeResult {
    if (typeof value !== "string" || value.length !== SIGNED_LENGTH) {
      return { ok: false, reason: "malformed" };
    }
    if (!SIGNED_PATTERN.test(value)) return { ok: false, reason: "malformed" };

    const token = value.slice(0, TOKEN_LENGTH);
    const given = encoder.encode(value.slice(TOKEN_LENGTH + 1));

    for (let index = 0; index < this.#keys.length; index++) {
      const expected = encoder.encode(this.#tag(this.#keys[index] as Uint8Array, token));

      // Both are 43 bytes by construction; the check keeps constantTimeEqual to equal lengths.
      if (expected.length === given.length && constantTimeEqual(expected, given)) {
        return { ok: true, token, stale: index > 0 };
      }
    }
    return { ok: false, reason: "bad-signature" };
  }

  // Comparing the base64url text rather than decoded bytes keeps one spelling per tag: a
  // non-canonical last character cannot decode to the same bytes and pass.
  #tag(key: Uint8Array, token: string): string {
    const message = new Uint8Array(this.#context.length + token.length);
    message.set(this.#context);
    encoder.encodeInto(token, message.subarray(this.#context.length));
    return encodeBase64urlNoPadding(hmac(SHA256, key, message));
  }
}

function readKeys(keys: unknown): Uint8Array[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ConfigError("keys", "must be a non-empty list of keys, newest first");
  }

  const result: Uint8Array[] = [];
  for (let index = 0; index < keys.length; index++) {
    const key: unknown = keys[index];
    let bytes: Uint8Array;
    if (typeof key === "string") bytes = encoder.encode(key);
    else if (key instanceof Uint8Array) bytes = new Uint8Array(key);
    else {
      throw new ConfigError(
        "keys",
        `keys[${index}] must be a string or a Uint8Array, got ${describeKind(key)}`,
      );
    }

    if (bytes.length < MIN_KEY_BYTES) {
      throw new ConfigError(
        "keys",
        `keys[${index}] is ${bytes.length} bytes; each key needs at least ${MIN_KEY_BYTES} ` +
          "bytes of random secret material",
      );
    }
    const twin = result.findIndex((earlier) => sameBytes(earlier, bytes));
    if (twin !== -1) {
      throw new ConfigError("keys", `keys[${index}] repeats keys[${twin}]; keys must be distinct`);
    }
    result.push(bytes);
  }
  return result;
}

function readTokenOption(value: unknown, field: string): string {
  if (!isToken(value)) {
    throw new ConfigError(field, `must be an RFC 9110 token, got ${describeOptionValue(value)}`);
  }
  return value;
}

// A key's value is a secret: describe only its kind.
function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a value of type ${typeof value}`;
}

// Config-time comparison of keys; not on a request path, so it need not be constant-time.
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return a.every((byte, index) => byte === b[index]);
}
