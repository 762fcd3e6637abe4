/**
 * Options for the session cookie's name and attributes. They are checked once, when the manager
 * is built, by `resolveCookieOptions`; a bad combination is a `ConfigError` then, never a
 * broken header later.
 */
export interface CookieOptions {
  /**
   * The cookie name: an RFC 6265 token. The `__Host-` prefix (the default) requires Secure,
   * `Path=/` and no Domain; `__Secure-` requires Secure. Prefixes are checked case-insensitively.
   * @default "__Host-sid"
   */
  name?: string;
  /** @default "/" */
  path?: string;
  /** A Domain attribute, to share the cookie with subdomains. Not allowed with `__Host-`. */
  domain?: string;
  /**
   * `"none"` sends the cookie on cross-site requests and needs `allowCrossSite: true`.
   * @default "lax"
   */
  sameSite?: "lax" | "strict" | "none";
  /**
   * Allows `sameSite: "none"`, for a session that must work inside cross-site frames or
   * requests. It gives up SameSite's CSRF protection, so the app must check `Origin` or use CSRF
   * tokens on every state-changing request. Requires Secure. @default false
   */
  allowCrossSite?: boolean;
  /** Turning this off needs `insecureDevMode: true`. @default true */
  secure?: boolean;
  /** Turning this off needs `insecureDevMode: true`. @default true */
  httpOnly?: boolean;
  /** CHIPS `Partitioned`, for embedded use; requires Secure. @default false */
  partitioned?: boolean;
  /**
   * Allows `secure: false` or `httpOnly: false`, for local development over plain HTTP only.
   * The manager reports a `cookie.insecure-transport` event when it is built with it.
   * @default false
   */
  insecureDevMode?: boolean;
  /**
   * The largest Set-Cookie line (name, value and attributes) to send, in bytes. The manager
   * checks when it is built that its longest cookie fits (a `ConfigError` otherwise).
   * @default 4096
   */
  maxSetCookieBytes?: number;
}
