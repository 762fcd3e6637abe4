import { CookieSerializeError } from "../core/errors.js";
import { parseToken } from "../core/token.js";
import type { CookieCodec, DecodeResult } from "./codec.js";

/**
 * The default codec: the cookie value is the token itself. The token's secret half already
 * authenticates it against the store's hash, so no signature is needed; use `SignedCodec` to
 * reject forged values before any store lookup.
 */
export class PlainCodec implements CookieCodec {
  /**
   * Returns `token` unchanged. Throws a `CookieSerializeError` if it is not a latchkey token,
   * since only those are ever decoded again.
   */
  encode(token: string): string {
    if (parseToken(token) === null) {
      throw new CookieSerializeError("PlainCodec.encode was given something that is not a token");
    }
    return token;
  }

  /**
   * `{ ok: true, token, stale: false }` for a value with the exact token length and alphabet;
   * `{ ok: false, reason: "malformed" }` for anything else (any type, empty, percent escapes,
   * quotes, trailing data). Never throws.
   */
  decode(value: unknown): DecodeResult {
    if (typeof value !== "string" || parseToken(value) === null) {
      return { ok: false, reason: "malformed" };
    }
    return { ok: true, token: value, stale: false };
  }
}
