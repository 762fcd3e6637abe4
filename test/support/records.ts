import type { SessionRecord } from "../../src/core/record.js";
import { generateToken, hashSecret, webCryptoRandom } from "../../src/core/token.js";

/**
 * Fixtures for store tests: well-formed session records with fresh random ids, timed against
 * the real clock (the Redis store uses real TTLs, so a record must not be born expired).
 */

/** One hour, the default idle timeout of a fixture record. */
export const HOUR_MS = 3_600_000;

/** A random user id (`user-<random>`), unique to the call. */
export function makeUserId(): string {
  return `user-${generateToken(webCryptoRandom).id}`;
}

/**
 * A well-formed active record: fresh random id and secret hash, a random user, version 1,
 * idle and store expiry about an hour from now, absolute expiry 12 hours from now.
 * `overrides` replace whole fields.
 */
export function makeRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const { id, secret } = generateToken(webCryptoRandom);
  const now = Date.now();

  return {
    id,
    secretHash: hashSecret(secret),
    userId: makeUserId(),
    data: { theme: "dark", cart: { items: [1, "two", null, true], total: 12.5 } },
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + HOUR_MS,
    absoluteExpiresAt: now + 12 * HOUR_MS,
    idleTimeoutMs: HOUR_MS,
    authenticatedAt: now,
    persistent: false,
    client: { ip: "127.0.0.1", userAgent: "latchkey-contract/1.0" },
    version: 1,
    state: "active",
    successorId: null,
    graceUntil: null,
    expiresAt: now + HOUR_MS,
    ...overrides,
  };
}
