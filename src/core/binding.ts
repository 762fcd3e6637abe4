import type { ClientFacts } from "./record.js";
import type { RequestContext } from "./manager-api.js";

/** How a manager binds sessions to clients (resolved options). */
export interface BindingPolicy {
  readonly userAgent: boolean;
  readonly ipPrefix: { readonly v4: number; readonly v6: number } | null;
}

/**
 * Compares a request with the client facts a session was created with.
 * @returns the first field that does not match, or `null` when the binding holds. A session
 * created without a fact is not bound by it; a request without a fact the session holds is a
 * mismatch.
 */
export function checkBinding(
  policy: BindingPolicy,
  stored: ClientFacts | null,
  request: RequestContext,
): "userAgent" | "ip" | null {
  if (policy.userAgent && stored?.userAgent != null) {
    if (normaliseUserAgent(request.userAgent) !== stored.userAgent) return "userAgent";
  }

  if (policy.ipPrefix !== null && stored?.ip != null) {
    if (!sameNetwork(stored.ip, request.ip ?? null, policy.ipPrefix)) return "ip";
  }
  return null;
}

/** The form in which a User-Agent is stored and compared: at most 512 characters. */
export function normaliseUserAgent(value: string | null | undefined): string | null {
  if (typeof value !== "string" || value.length === 0) return null;
  return value.slice(0, 512);
}

function sameNetwork(a: string, b: string | null, prefix: { v4: number; v6: number }): boolean {
  if (b === null) return false;
  const left = parseIp(a);
  const right = parseIp(b);
  if (left === null || right === null || left.length !== right.length) return false;

  const bits = left.length === 4 ? prefix.v4 : prefix.v6;
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if (((left[byte] ?? 0) & mask) !== ((right[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * Parses an IPv4 or IPv6 address into bytes. IPv4-mapped IPv6 (`::ffff:192.0.2.1`, as Node
 * reports IPv4 peers on dual-stack sockets) becomes the IPv4 address. Anything else is `null`.
 */
export function parseIp(address: string): Uint8Array | null {
  const v4 = parseIPv4(address);
  if (v4 !== null) return v4;

  const v6 = parseIPv6(address);
  if (v6 === null) return null;
  const mapped = v6.slice(0, 12).every((byte, i) => byte === (i < 10 ? 0 : 0xff));
  return mapped ? v6.slice(12) : v6;
}

function parseIPv4(address: string): Uint8Array | null {
  const parts = address.split(".");
  if (parts.length !== 4) return null;

  const bytes = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    bytes[i] = Number(part);
  }
  return bytes;
}

function parseIPv6(address: string): Uint8Array | null {
  const zoneless = address.split("%")[0] ?? "";
  const halves = zoneless.split("::");
  if (halves.length > 2) return null;

  const head = halves[0] === "" ? [] : (halves[0] ?? "").split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? (halves[1] ?? "").split(":") : [];
  const groups = expandGroups([...head, ...tail]);
  if (groups === null) return null;

  const missing = 8 - groups.length;
  if (
    (halves.length === 1 && missing !== 0) ||
    missing < 0 ||
    (halves.length === 2 && missing < 1)
  ) {
    return null;
  }
  const headGroups = expandGroups(head) ?? [];
  const all = [
    ...headGroups,
    ...new Array<number>(missing).fill(0),
    ...groups.slice(headGroups.length),
  ];

  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

// Hex groups, with a trailing dotted IPv4 part counted as two groups.
function expandGroups(parts: string[]): number[] | null {
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIPv4(part);
      if (v4 === null) return null;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
    groups.push(parseInt(part, 16));
  }
  return groups;
}
