import { SessionDataTooLargeError } from "./errors.js";
import type { DataPatch, SessionData } from "./record.js";
import type { SessionPatch } from "./manager-api.js";

const encoder = new TextEncoder();

/**
 * Checks that `data` is a JSON object within `maxBytes` (as UTF-8 JSON) and returns a plain
 * copy of it. The copy goes through JSON, so no prototype, getter or class instance reaches a
 * store, and a `__proto__` key stays an ordinary key (R55).
 * @throws TypeError when `data` is not a JSON object.
 * @throws SessionDataTooLargeError when it is too large.
 */
export function checkData(data: unknown, maxBytes: number): SessionData {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new TypeError("session data must be a JSON object");
  }

  let json: string;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new TypeError("session data must be JSON-serialisable", { cause: error });
  }

  const bytes = encoder.encode(json).length;
  if (bytes > maxBytes) throw new SessionDataTooLargeError(bytes, maxBytes);
  return JSON.parse(json) as SessionData;
}

/**
 * Applies a per-key patch to a snapshot of the data, to check the size of the result and to
 * give the caller its new view. The store applies the same patch to what it holds, atomically.
 */
export function mergePatch(
  current: Readonly<SessionData>,
  patch: SessionPatch,
  maxBytes: number,
): { patch: DataPatch; data: SessionData } {
  const set = checkData(patch.set ?? {}, maxBytes);
  const remove = patch.delete ?? [];
  if (!Array.isArray(remove) || !remove.every((key) => typeof key === "string")) {
    throw new TypeError("patch.delete must be an array of keys");
  }

  const data: SessionData = JSON.parse(JSON.stringify(current)) as SessionData;
  for (const key of remove) delete data[key];
  for (const [key, value] of Object.entries(set)) {
    Object.defineProperty(data, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  checkData(data, maxBytes);

  const deleted = remove.filter((key) => !Object.hasOwn(set, key));
  return { patch: { set, delete: deleted }, data };
}
