/**
 * Reading replies from either client. Both libraries give strings by default, but a client may
 * be set up to return Buffers or, under RESP3, Maps; anything else is a reply the store did not
 * ask for, and the caller turns it into `StoreError("store-reply")`.
 */

const decoder = new TextDecoder();

/** A bulk-string reply as text, or `undefined` when it is not one. */
export function replyText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return decoder.decode(value);
  return undefined;
}

/**
 * A hash reply (an object, a Map, or a flat `[field, value, …]` array from a script) as a Map
 * of texts, or `undefined` when it has another shape.
 */
export function replyHash(value: unknown): Map<string, string> | undefined {
  let entries: Iterable<[unknown, unknown]>;

  if (Array.isArray(value)) {
    if (value.length % 2 !== 0) return undefined;
    const pairs: [unknown, unknown][] = [];
    for (let i = 0; i < value.length; i += 2) pairs.push([value[i], value[i + 1]]);
    entries = pairs;
  } else if (value instanceof Map) {
    entries = value.entries();
  } else if (typeof value === "object" && value !== null) {
    entries = Object.entries(value);
  } else {
    return undefined;
  }

  const hash = new Map<string, string>();
  for (const [field, text] of entries) {
    const name = replyText(field);
    const content = replyText(text);
    if (name === undefined || content === undefined) return undefined;
    hash.set(name, content);
  }
  return hash;
}

/** An integer reply, or `undefined`. */
export function replyInteger(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "bigint") return Number(value);
  return undefined;
}

/** A `{status, number?}` array reply of a write script, or `undefined`. */
export function replyStatus(value: unknown): { status: string; count: number | null } | undefined {
  if (!Array.isArray(value) || value.length < 1 || value.length > 2) return undefined;

  const status = replyText(value[0]);
  const count = value.length === 2 ? replyInteger(value[1]) : null;
  if (status === undefined || count === undefined) return undefined;
  return { status, count };
}
