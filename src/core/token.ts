import type { RandomReader } from "./options.js";
import { sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";

/**
 * Session tokens: `<id>.<secret>`, two independent random values. The id (128 bits) finds the
 * record; the secret (256 bits) proves possession and is stored only as a SHA-256 hash, so a
 * copy of the store cannot be turned into a working cookie.
 */

/** Length of the id half: 16 random bytes in base64url without padding. */
export const ID_LENGTH = 22;
/** Length of the secret half: 32 random bytes in base64url without padding. */
export const SECRET_LENGTH = 43;
/** Length of a whole token. */
export const TOKEN_LENGTH = ID_LENGTH + 1 + SECRET_LENGTH;

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;
const encoder = new TextEncoder();

/** The Web Crypto random source, available on every runtime latchkey supports. */
export const webCryptoRandom: RandomReader = {
  read(bytes: Uint8Array): void {
    crypto.getRandomValues(bytes);
  },
};

/** The two halves of a token. */
export interface TokenParts {
  id: string;
  secret: string;
}

/** Makes a fresh token from `random`. */
export function generateToken(random: RandomReader): TokenParts & { token: string } {
  const idBytes = new Uint8Array(16);
  const secretBytes = new Uint8Array(32);
  random.read(idBytes);
  random.read(secretBytes);

  const id = flatString(encodeBase64urlNoPadding(idBytes));
  const secret = encodeBase64urlNoPadding(secretBytes);
  return { id, secret, token: `${id}.${secret}` };
}

/** {@link hashSecret} for a hash that will be stored: the same value, held compactly. */
export function hashSecretForStorage(secret: string): string {
  return flatString(hashSecret(secret));
}

// The encoder appends one character at a time, and V8 keeps such a result as a chain of small
// string pieces: about 900 bytes for an id and a hash that the memory store keeps per session.
// Rebuilding the string from its character codes gives one flat string of 22 or 43 bytes.
function flatString(text: string): string {
  const codes = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return String.fromCharCode(...codes);
}

/**
 * Splits a token after checking its exact length and alphabet, before any hashing or store
 * work. Anything else (wrong type, length or characters, percent escapes) gives `null`. The
 * token is never URL-decoded: one token has one spelling.
 */
export function parseToken(value: unknown): TokenParts | null {
  if (typeof value !== "string" || value.length !== TOKEN_LENGTH) return null;
  if (!TOKEN_PATTERN.test(value)) return null;
  return { id: value.slice(0, ID_LENGTH), secret: value.slice(ID_LENGTH + 1) };
}

/** SHA-256 of a secret, in base64url without padding (43 characters). */
export function hashSecret(secret: string): string {
  return encodeBase64urlNoPadding(sha256(asciiBytes(secret)));
}

// Secrets and hashes are base64url text, so each character is one byte. Copying the char codes
// is several times cheaper than TextEncoder for strings this short, and it runs on every
// validate. Anything outside ASCII (never a parsed token) goes through TextEncoder.
function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return encoder.encode(text);
    bytes[i] = code;
  }
  return bytes;
}

// Compared against when the id is unknown, so that an unknown id and a wrong secret cost the
// same work: one hash and one constant-time comparison of equal-length digests.
const UNKNOWN_ID_HASH = hashSecret("latchkey: no record has this id");

/**
 * Whether `secret` hashes to `storedHash`, in constant time. Pass `null` for an unknown id: the
 * same work is done and the answer is `false`.
 */
export function secretMatches(secret: string, storedHash: string | null): boolean {
  const actual = asciiBytes(hashSecret(secret));
  const expected = asciiBytes(storedHash ?? UNKNOWN_ID_HASH);

  // Digest lengths are public (always 43 here); a stored hash of another length is corrupt.
  if (actual.length !== expected.length) return false;
  return constantTimeEqual(actual, expected) && storedHash !== null;
}
