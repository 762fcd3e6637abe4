import type { JsonValue, SessionData } from "../../core/record.js";

/**
 * Copies of session data. The memory store keeps structured values and hands out copies, so no
 * caller can change what is stored through a reference. Session data is JSON, so a
 * JSON-aware copy suffices and is faster than `structuredClone` for the small objects sessions
 * hold.
 */

/** A deep copy of session data. */
export function copyData(data: SessionData): SessionData {
  // Spread copies the keys in one step into an object sized to them (own data properties, a
  // `__proto__` key included); one built from `{}` key by key keeps room for four properties,
  // which doubles the memory of the small objects sessions hold.
  const copy: SessionData = { ...data };

  for (const key of Object.keys(copy)) {
    const value = copy[key] as JsonValue;
    if (typeof value === "object" && value !== null) setKey(copy, key, copyJson(value));
  }
  return copy;
}

/**
 * Sets an own property, including one named `__proto__` (which `JSON.parse` creates as an own
 * key, but plain assignment would turn into a prototype change and lose).
 */
export function setKey(target: SessionData, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    return;
  }
  target[key] = value;
}

/** A deep copy of one JSON value. */
export function copyJson(value: JsonValue): JsonValue {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  return copyData(value);
}
