import { describe, expect, it } from "vitest";
import {
  isLoopback,
  resolveTransport,
  type ConnectionFacts,
  type TrustProxy,
} from "../../src/http/internal/transport.js";

const PLAIN: ConnectionFacts = {
  peerAddress: "127.0.0.1",
  encrypted: false,
  forwardedProto: null,
  forwardedFor: null,
  host: "app.example.test",
};

describe("resolveTransport", () => {
  it.each<
    [
      string,
      Partial<ConnectionFacts>,
      TrustProxy,
      { secure: boolean; local: boolean; clientIp: string | null },
    ]
  >([
    // FR-03 (a): proxy headers from 127.0.0.1, trust off: ignored.
    [
      "ignores X-Forwarded-* when trust is off",
      { forwardedProto: "https", forwardedFor: "203.0.113.7" },
      false,
      { secure: false, local: true, clientIp: "127.0.0.1" },
    ],
    // FR-03 (b): trust on for 127.0.0.1: believed.
    [
      "believes a trusted peer",
      { forwardedProto: "https", forwardedFor: "203.0.113.7" },
      ["127.0.0.1"],
      { secure: true, local: false, clientIp: "203.0.113.7" },
    ],
    // FR-03 (c): same headers from an untrusted remote peer: ignored.
    [
      "ignores an untrusted peer",
      { peerAddress: "203.0.113.7", forwardedProto: "https", forwardedFor: "198.51.100.1" },
      ["127.0.0.1"],
      { secure: false, local: false, clientIp: "203.0.113.7" },
    ],
    [
      "takes the nearest X-Forwarded-For entry, not the client-written leftmost one",
      { forwardedFor: "6.6.6.6, 203.0.113.7" },
      true,
      { secure: false, local: false, clientIp: "203.0.113.7" },
    ],
    [
      "takes the nearest X-Forwarded-Proto entry",
      { forwardedProto: "http, https" },
      true,
      { secure: true, local: true, clientIp: "127.0.0.1" },
    ],
    [
      "matches IPv4-mapped peers against plain IPv4 entries",
      { peerAddress: "::ffff:127.0.0.1", forwardedProto: "https" },
      ["127.0.0.1"],
      { secure: true, local: true, clientIp: "127.0.0.1" },
    ],
    [
      "asks a trust function about the peer",
      { peerAddress: "10.0.0.5", forwardedFor: "203.0.113.7" },
      (peer: string) => peer.startsWith("10."),
      { secure: false, local: false, clientIp: "203.0.113.7" },
    ],
    [
      "counts a TLS connection as secure whatever the headers say",
      { peerAddress: "203.0.113.7", encrypted: true, forwardedProto: "http" },
      false,
      { secure: true, local: false, clientIp: "203.0.113.7" },
    ],
    [
      "falls back to the addressed host when the runtime gives no address",
      { peerAddress: null, host: "localhost:3000" },
      false,
      { secure: false, local: true, clientIp: null },
    ],
    [
      "treats an unknown address and a remote host as remote",
      { peerAddress: null, host: "app.example.test" },
      ["127.0.0.1"],
      { secure: false, local: false, clientIp: null },
    ],
  ])("%s", (_name, facts, trust, expected) => {
    expect(resolveTransport({ ...PLAIN, ...facts }, trust)).toEqual(expected);
  });
});

describe("isLoopback", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.10.20.30", true],
    ["::1", true],
    ["::ffff:127.0.0.1", true],
    ["203.0.113.7", false],
    ["::ffff:203.0.113.7", false],
    ["1270.0.0.1", false],
    ["localhost", false],
  ])("%s → %s", (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});
