/**
 * How far an adapter trusts the connection it sees: whether the request arrived over HTTPS, which
 * address the client has, and whether that client is on this machine. Web APIs only, so the Fetch
 * adapter can use it on any runtime.
 */
import { parseIp } from "../../core/binding.js";

/**
 * Which peers may speak for the client through `X-Forwarded-Proto` and `X-Forwarded-For`.
 * - `false` (the default): nobody; the forwarded headers are ignored.
 * - `true`: any peer. Only for an app that nothing but its own proxy can reach.
 * - a list of addresses: peers with exactly one of these addresses (`127.0.0.1`, `::1`…).
 * - a function: called with the peer's address.
 */
export type TrustProxy = boolean | readonly string[] | ((peerAddress: string) => boolean);

/** What an adapter knows about the connection before any proxy header is trusted. */
export interface ConnectionFacts {
  /** The address of the socket's far end, or `null` when the runtime does not say. */
  peerAddress: string | null;
  /** Whether the connection itself is TLS (or the request URL is `https:`). */
  encrypted: boolean;
  /** The raw `X-Forwarded-Proto` header, or `null`. */
  forwardedProto: string | null;
  /** The raw `X-Forwarded-For` header, or `null`. */
  forwardedFor: string | null;
  /** The host the request was addressed to (the URL or `Host`), for the local check. */
  host: string | null;
}

/** The transport as the adapter decides to believe it. */
export interface Transport {
  /** Whether the client reached us over HTTPS (directly or through a trusted proxy). */
  secure: boolean;
  /** Whether the client is on this machine (a loopback address). */
  local: boolean;
  /** The client's address: the peer, or the forwarded one when the peer is trusted. */
  clientIp: string | null;
}

/** Strips the IPv4-mapped prefix so that `::ffff:127.0.0.1` and `127.0.0.1` compare equal. */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim();
  return trimmed.toLowerCase().startsWith("::ffff:") && trimmed.includes(".")
    ? trimmed.slice(7)
    : trimmed;
}

/** Whether `address` is a loopback address (127.0.0.0/8 or ::1). */
export function isLoopback(address: string): boolean {
  const value = normaliseAddress(address);
  return value === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(value);
}

/** Whether a host name (no port) names this machine. */
function isLocalHost(host: string): boolean {
  const name = host
    .replace(/:\d+$/, "")
    .replace(/^\[|\]$/g, "")
    .toLowerCase();
  return name === "localhost" || name.endsWith(".localhost") || isLoopback(name);
}

function peerTrusted(peer: string | null, trust: TrustProxy): boolean {
  if (trust === false) return false;
  if (trust === true) return true;
  if (peer === null) return false;

  const address = normaliseAddress(peer);
  if (typeof trust === "function") return trust(address);
  return trust.some((entry) => normaliseAddress(entry) === address);
}

// The entry nearest to us: a trusted proxy appends what it saw, so the last entry is the one it
// vouches for. Entries further left were written by whoever sent the request and can be forged.
function nearestEntry(header: string | null): string | null {
  if (header === null) return null;
  const entries = header
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  return entries.at(-1) ?? null;
}

// The address in an X-Forwarded-For entry, also in the `1.2.3.4:port` and `[v6]:port` forms
// some proxies write, or `null` when the entry is not an address at all: something that is not
// an IP must not reach the device list or the binding check as one.
function forwardedAddress(entry: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  const address = normaliseAddress(bracketed?.[1] ?? withPort?.[1] ?? entry);
  return parseIp(address) === null ? null : address;
}

/**
 * Decides what to believe about a request's transport. The forwarded headers count only when
 * `trustProxy` trusts the peer (FR-03); otherwise a client could claim HTTPS or any address.
 */
export function resolveTransport(facts: ConnectionFacts, trustProxy: TrustProxy): Transport {
  const trusted = peerTrusted(facts.peerAddress, trustProxy);
  const forwardedProto = trusted ? nearestEntry(facts.forwardedProto) : null;
  const forwardedFor = trusted ? nearestEntry(facts.forwardedFor) : null;

  const secure = facts.encrypted || forwardedProto?.toLowerCase() === "https";
  const clientIp =
    forwardedFor !== null
      ? forwardedAddress(forwardedFor)
      : facts.peerAddress !== null
        ? normaliseAddress(facts.peerAddress)
        : null;

  // Without an address (some Fetch runtimes) the addressed host is the only hint; it decides
  // nothing but whether an insecure-transport event is reported.
  const local =
    clientIp !== null ? isLoopback(clientIp) : facts.host !== null && isLocalHost(facts.host);
  return { secure, local, clientIp };
}
