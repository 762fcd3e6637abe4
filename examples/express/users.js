// The demo's two users. Passwords are kept only as scrypt hashes (node:crypto) and checked with
// timingSafeEqual; an unknown email costs the same scrypt work as a wrong password.
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scryptAsync = promisify(scrypt);
const KEY_BYTES = 32;

/** The shared demo password, shown on the login page. */
export const DEMO_PASSWORD = "demo-password";

/** The demo accounts' emails, shown on the login page. */
export const DEMO_EMAILS = ["alice@example.test", "bob@example.test"];

async function hashPassword(password) {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_BYTES);
  return { salt, hash };
}

/**
 * Builds the user table. Resolves to `verify(email, password)`, which gives the user id (the
 * email) for a correct pair and `null` otherwise.
 */
export async function createUsers() {
  const users = new Map();
  for (const email of DEMO_EMAILS) users.set(email, await hashPassword(DEMO_PASSWORD));
  const decoy = await hashPassword(randomBytes(16).toString("hex"));

  return async function verify(email, password) {
    if (typeof email !== "string" || typeof password !== "string") return null;
    if (password.length > 1024) return null;

    const normalised = email.trim().toLowerCase();
    const user = users.get(normalised) ?? decoy;
    const attempt = await scryptAsync(password, user.salt, KEY_BYTES);
    const matches = timingSafeEqual(attempt, user.hash);
    return matches && users.has(normalised) ? normalised : null;
  };
}
