import { ConfigError } from "../../core/errors.js";

/**
 * The store's key layout. Every key starts with the prefix in braces, which Redis Cluster reads
 * as a hash tag: all of one store's keys hash to the same slot, so every script may touch a
 * session, its successor and its user's index together, atomically, on one server or on a
 * Cluster.
 *
 * - `{<prefix>}s:<sessionId>`: a hash, one session record.
 * - `{<prefix>}u:<userId>`: a sorted set of the user's session ids, scored by deadline.
 */

/** The prefix when none is given. */
export const DEFAULT_PREFIX = "latchkey:";

// An allowlist rather than a blocklist (INJ-04): no glob characters (`*?[]`), no braces (they
// would change the hash tag), no spaces or control characters, so the prefix works unchanged in
// SCAN MATCH, in ACL key patterns and in redis-cli.
const PREFIX_PATTERN = /^[A-Za-z0-9:._-]{1,64}$/;

/** The keys of one store. */
export interface KeyLayout {
  /** The hash tag shared by every key, braces included: `{latchkey:}`. */
  readonly tag: string;
  /** Everything before a session id in a session key. */
  readonly sessionPrefix: string;
  /** Everything before a user id in a user-index key. */
  readonly userPrefix: string;
  /** The key of a session record. */
  session(id: string): string;
  /** The key of a user's index. */
  user(userId: string): string;
}

/**
 * Checks a prefix and builds the key layout for it.
 * @throws ConfigError (`store.prefix`) for an empty prefix, one longer than 64 characters, or
 *   one with characters outside `A-Z a-z 0-9 : . _ -`.
 */
export function keyLayout(prefix: unknown): KeyLayout {
  if (typeof prefix !== "string" || !PREFIX_PATTERN.test(prefix)) {
    throw new ConfigError(
      "store.prefix",
      "must be 1 to 64 characters from A-Z a-z 0-9 : . _ - (no glob characters, braces or spaces)",
    );
  }

  const tag = `{${prefix}}`;
  const sessionPrefix = `${tag}s:`;
  const userPrefix = `${tag}u:`;
  return Object.freeze({
    tag,
    sessionPrefix,
    userPrefix,
    session: (id: string) => sessionPrefix + id,
    user: (userId: string) => userPrefix + userId,
  });
}
