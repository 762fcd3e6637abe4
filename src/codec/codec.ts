/**
 * A `CookieCodec` turns a session token into a cookie value and back. It is pure and
 * synchronous, runs on any runtime, and never throws on what a client sent.
 */

/** Why a cookie value did not decode. */
export type DecodeFailure = "malformed" | "bad-signature";

/** The result of {@link CookieCodec.decode}. */
export type DecodeResult =
  | {
      ok: true;
      /** The token inside the cookie: `<id>.<secret>`, already checked for length and alphabet. */
      token: string;
      /** `true` when the value verified with a key other than the newest: re-send the cookie. */
      stale: boolean;
    }
  | { ok: false; reason: DecodeFailure };

/** Turns a token into a cookie value and back. */
export interface CookieCodec {
  /** The cookie value for a token. The value uses cookie-octets only and needs no encoding. */
  encode(token: string): string;

  /**
   * Reads a cookie value of any type (`unknown`, since it comes from a client). Anything that is
   * not a value this codec could have produced gives `{ ok: false }`; it never throws.
   */
  decode(value: unknown): DecodeResult;
}
