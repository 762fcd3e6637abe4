import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { checkTrustProxy } from "../../src/http/internal/adapter-options.js";
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

describe("checkTrustProxy", () => {
  const forwarded = { forwardedProto: "https", forwardedFor: "203.0.113.7" };

  it.each([
    ["0:0:0:0:0:0:0:1", "::1"],
    ["::1", "0:0:0:0:0:0:0:1"],
    ["::FFFF:7F00:1", "127.0.0.1"],
    ["127.0.0.1", "::ffff:127.0.0.1"],
    ["2001:DB8::1", "2001:db8:0:0:0:0:0:1"],
    [" 10.0.0.1 ", "10.0.0.1"],
  ])("a listed %j trusts the peer %j, compared by address bytes", (entry, peer) => {
    const trust = checkTrustProxy([entry]);

    const transport = resolveTransport({ ...PLAIN, ...forwarded, peerAddress: peer }, trust);

    expect(transport).toMatchObject({ secure: true, clientIp: "203.0.113.7" });
  });

  it("a listed address does not trust another peer", () => {
    const trust = checkTrustProxy(["::1", "10.0.0.1"]);

    const transport = resolveTransport({ ...PLAIN, ...forwarded, peerAddress: "10.0.0.2" }, trust);

    expect(transport).toMatchObject({ secure: false, clientIp: "10.0.0.2" });
  });

  it.each([["loopback"], ["10.0.0.0/8"], ["fe80::1%eth0"], ["::1%x"], ["010.0.0.1"], [""], [7]])(
    "refuses the entry %j with ConfigError(trustProxy)",
    (entry) => {
      const check = () => checkTrustProxy([entry]);

      expect(check).toThrow(ConfigError);
      expect(check).toThrow(/^trustProxy: lists IP addresses only/);
    },
  );

  it("passes true, false and functions through, and checks a reused list once", () => {
    const decide = (peer: string) => peer === "::1";
    const list = ["::1"];

    expect(checkTrustProxy(true)).toBe(true);
    expect(checkTrustProxy(undefined)).toBe(false);
    expect(checkTrustProxy(decide)).toBe(decide);
    expect(checkTrustProxy(list)).toBe(checkTrustProxy(list));
  });
});

describe("resolveTransport (X-Forwarded-For values)", () => {
  it.each([
    ["203.0.113.7:51234", "203.0.113.7"],
    ["[2001:db8::7]:443", "2001:db8::7"],
    ["[2001:db8::7]", "2001:db8::7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["<img src=x onerror=alert(1)>", null],
    ["unknown", null],
    ["203.0.113.999", null],
  ])("reads the trusted entry %j as the client address %j", (entry, expected) => {
    const facts = { ...PLAIN, forwardedFor: `198.51.100.1, ${entry}` };

    expect(resolveTransport(facts, true).clientIp).toBe(expected);
  });
});
