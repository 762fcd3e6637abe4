import { describe, expect, it } from "vitest";
import { generateToken, webCryptoRandom } from "../../src/core/token.js";
import { cookie, reasonOf, setup } from "./fixture.js";

const REQUESTS = 100_000;

describe("validateCookieHeader (resource exhaustion)", () => {
  it(
    "answers unknown to 100 000 fresh never-issued tokens with no record " +
      "and no store write (RES-01)",
    async () => {
      const { manager, memory, store, writes } = setup();
      const before = memory.stats();
      const reasons = new Map<string, number>();

      for (let i = 0; i < REQUESTS; i++) {
        const { token } = generateToken(webCryptoRandom);
        const result = await manager.validateCookieHeader(cookie(token));
        const reason = reasonOf(result);
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        if (result.setCookie !== null) throw new Error(`request ${i} got a Set-Cookie`);
      }

      expect(before).toEqual({ records: 0, users: 0, queued: 0 });
      expect([...reasons]).toEqual([["unknown", REQUESTS]]);
      expect(store.count("get")).toBe(REQUESTS);
      expect(writes()).toBe(0);
      expect(memory.stats()).toEqual(before);
    },
  );
});
