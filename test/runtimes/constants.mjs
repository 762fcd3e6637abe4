/** Settings the smoke app and the scenario share. */

/** The cookie name the app uses: the default, `__Host-` bound. */
export const COOKIE_NAME = "__Host-sid";

/** The app's idle timeout, in milliseconds. */
export const IDLE_TIMEOUT_MS = 30 * 60_000;

/** The app's renewal interval, in milliseconds. */
export const RENEWAL_INTERVAL_MS = 60_000;
